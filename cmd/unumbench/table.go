package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// Row is one figure of the suite.
type Row struct {
	Group   string  `json:"group"`
	Case    string  `json:"case"`
	Median  float64 `json:"median"`
	P99     float64 `json:"p99,omitempty"`
	Unit    string  `json:"unit"`
	Samples int     `json:"samples"` // how many measurements the median is of
	Target  string  `json:"target,omitempty"`
	Met     *bool   `json:"met,omitempty"`
	Note    string  `json:"note,omitempty"`
	// Requests is set on the rows of group "requests" instead of Median.
	Requests *Requests `json:"requests,omitempty"`
}

// cells are the row's columns in the table: group, case, median, p99,
// samples, target, note.
func (r Row) cells() []string {
	value, p99, target := num(r.Median)+" "+r.Unit, "", r.Target
	if r.P99 != 0 {
		p99 = num(r.P99) + " " + r.Unit
	}
	if r.Met != nil {
		if *r.Met {
			target += " met"
		} else {
			target += " NOT met"
		}
	}
	note := r.Note
	if q := r.Requests; q != nil {
		value = q.Measured.String()
		target = "min " + q.Min.String()
		if q.Unum != nil {
			note = "Unum " + q.Unum.String() + "; " + note
		}
	}
	return []string{r.Group, r.Case, value, p99, strconv.Itoa(r.Samples), target, note}
}

func (r Row) text() string {
	c := r.cells()
	s := fmt.Sprintf("%s / %s: %s", c[0], c[1], c[2])
	if c[3] != "" {
		s += ", p99 " + c[3]
	}
	if c[5] != "" {
		s += " (" + c[5] + ")"
	}
	return s
}

// num prints three significant digits, without an exponent.
func num(v float64) string {
	switch a := abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// printTable writes the rows as one aligned table.
func printTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tCASE\tMEDIAN\tP99\tN\tTARGET\tNOTE")
	for _, r := range rows {
		c := r.cells()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c[0], c[1], c[2], c[3], c[4], c[5], c[6])
	}
	return tw.Flush()
}

// Report is the output of -json.
type Report struct {
	Machine Machine `json:"machine"`
	Rows    []Row   `json:"rows"`
}

func printJSON(w io.Writer, rep Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
