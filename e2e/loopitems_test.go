package e2e

import "github.com/migratekit/migrate/dsl"

// box is a loop item with fields of every kind Argo hands an expression
// as text (scenario loop-item-fields).
type box struct {
	ID    string   `json:"id"`
	N     int      `json:"n"`
	Ratio float64  `json:"ratio"`
	OK    bool     `json:"ok"`
	Tags  []string `json:"tags"`
	Owner boxOwner `json:"owner"`
}

type boxOwner struct {
	UID string `json:"uid"`
}

type shown struct {
	ID    dsl.Expr[string]
	Len   dsl.Expr[string]
	Has   dsl.Expr[string]
	Next  dsl.Expr[string]
	Half  dsl.Expr[string]
	Owner dsl.Expr[string]
}

// loopItems is the library of scenario loop-item-fields: one loop over
// object items whose typed fields are read in a `when` and in arguments,
// on the real controller.
func loopItems() *dsl.Library {
	lib := dsl.NewLibrary("loop-items")
	wt := lib.WorkflowTemplate("loop-items").ServiceAccount("migrate")
	show := dsl.Container[shown, dsl.None](wt, "show").Image("busybox:1.36").Command("true")
	in := show.In()
	show.Env("LEN", in.Len).Env("HAS", in.Has).Env("NEXT", in.Next).Env("HALF", in.Half).Env("OWNER", in.Owner)
	main := dsl.DAG[dsl.None, dsl.None](wt, "main")
	items := []box{
		{ID: "a", N: 5, Ratio: 0.25, OK: true, Tags: []string{"x", "y"}},
		{ID: "b", N: 1, Ratio: 0.75, OK: true, Tags: []string{}},
		{ID: "c", N: 9, Ratio: 0.5, OK: false, Tags: []string{"y"}},
	}
	items[0].Owner.UID = "u-a"
	items[1].Owner.UID = "u-b"
	items[2].Owner.UID = "u-c"
	var item dsl.Expr[box]
	each := dsl.ForEach(main, "each", show, dsl.Values(items...), func(it dsl.Expr[box]) shown {
		item = it
		tags := dsl.Field[[]string](it, "tags")
		return shown{
			ID:    dsl.Field[string](it, "id"),
			Len:   dsl.ToString(dsl.Len(tags)),
			Has:   dsl.ToString(dsl.In(dsl.Lit("y"), tags)),
			Next:  dsl.ToString(dsl.Add(dsl.Field[int](it, "n"), dsl.Lit(1))),
			Half:  dsl.ToString(dsl.Lt(dsl.Field[float64](it, "ratio"), dsl.Lit(0.5))),
			Owner: dsl.Get[string](dsl.Field[boxOwner](it, "owner"), "uid"),
		}
	})
	// Runs a and b: c is not ok.
	each.When(dsl.And(dsl.Field[bool](item, "ok"), dsl.Lt(dsl.Field[int](item, "n"), dsl.Lit(8))))
	wt.Entrypoint(main)
	return lib
}
