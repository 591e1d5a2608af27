package asl_test

import (
	"fmt"

	"github.com/unumc/unumc/asl"
	"github.com/unumc/unumc/internal/diag"
	"github.com/unumc/unumc/internal/ir"
)

func ExampleLoad() {
	src := []byte(`{
  "StartAt": "Charge",
  "States": {
    "Charge": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Charge",
      "ResultPath": "$.receipt",
      "Retry": [{"ErrorEquals": ["States.Timeout"]}],
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"}
  }
}`)
	w, err := asl.Load("order.asl.json", src, asl.Options{
		Bind: func(name string, pos diag.Pos) (*ir.Func, error) {
			return &ir.Func{Import: "example.com/shop/" + name, Name: "Handle"}, nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(ir.Dump(w))
	// Output:
	// workflow order
	// start Charge
	// node Charge = example.com/shop/Charge.Handle
	// 	retry States.Timeout every 1s max 3 backoff 2
	// 	resultpath $.receipt
	// 	end
}

func ExampleUnsupported() {
	src := []byte(`{
  "StartAt": "Notify",
  "States": {
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": true}
  }
}`)
	_, err := asl.Load("notify.asl.json", src, asl.Options{})
	fmt.Println(err)
	fmt.Println(asl.Unsupported(err))
	// Output:
	// notify.asl.json:4:44: States.Notify.Resource: unsupported: the "sns:publish" service integration
	// true
}
