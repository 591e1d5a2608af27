// Package shipval is the Lambda function ship-val of the map case: it
// checks one parcel.
package shipval

import "context"

type Parcel struct {
	Prod     string `json:"prod"`
	DestCode int    `json:"dest-code"`
	Quantity int    `json:"quantity"`
}

type In struct {
	Parcel  Parcel `json:"parcel"`
	Index   int    `json:"index"`
	Courier string `json:"courier"`
}

type Out struct {
	Index   int    `json:"index"`
	Prod    string `json:"prod"`
	Courier string `json:"courier"`
	Bulk    bool   `json:"bulk"`
}

func Handle(_ context.Context, in In) (Out, error) {
	return Out{Index: in.Index, Prod: in.Parcel.Prod, Courier: in.Courier, Bulk: in.Parcel.Quantity >= 1000}, nil
}
