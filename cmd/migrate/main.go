// Command migrate compiles workflows written with the migrate DSL into Argo
// WorkflowTemplates, validates migration configs and lints Argo YAML.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], newCLIIO())) }
