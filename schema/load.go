package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Load reads a config from YAML or JSON and checks it: the file itself (size,
// encoding, syntax, duplicate keys), then the JSON Schema (types, required and
// unknown keys, patterns), then the CEL rules, then the work plan it expands
// to (ids that collide). It reports every problem it finds, sorted by
// position; the config is returned only when there are none. filename is used
// in positions only.
func Load(filename string, data []byte) (*Config, ErrorList) {
	d, errs := read(filename, data)
	if errs != nil {
		errs.Sort()
		return nil, errs
	}
	return check(d)
}

// Validate checks a config built in Go, as Load checks a file. The problems
// it reports have a JSON path but no position.
func Validate(c *Config) ErrorList {
	if c == nil {
		var errs ErrorList
		errs.Add(Pos{}, "", msgNilConfig, hintNilConfig)
		return errs
	}
	v, err := plainValue(c)
	if err != nil {
		var errs ErrorList
		errs.Add(Pos{}, "", msgInternal(err), hintInternal)
		return errs
	}
	_, errs := check(&document{value: v})
	return errs
}

// check runs the checks after reading.
func check(d *document) (*Config, ErrorList) {
	comp := compileOnce()
	if comp.err != nil {
		var errs ErrorList
		errs.Add(Pos{File: d.file}, "", msgInternal(comp.err), hintInternal)
		return nil, errs
	}
	errs := comp.checkSchema(d)
	errs = append(errs, comp.checkRules(d, len(errs) > 0)...)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	cfg, err := decode(d.value)
	if err != nil {
		errs.Add(Pos{File: d.file}, "", msgInternal(err), hintInternal)
		return nil, errs
	}
	if _, issues := expand(cfg); len(issues) > 0 {
		for _, is := range issues {
			errs.Add(d.pos(is.path, true), renderPath(d.value, is.path), is.msg, is.hint)
		}
		errs.Sort()
		return nil, errs
	}
	return cfg, nil
}

// decode turns checked plain values into a Config.
func decode(v any) (*Config, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	return &c, nil
}

// plainValue turns a Config into the plain values read produces.
func plainValue(c *Config) (any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	return numbers(v), nil
}

// numbers replaces json.Numbers with int64 or float64.
func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}
