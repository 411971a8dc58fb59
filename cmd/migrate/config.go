package main

import "github.com/spf13/cobra"

// addConfigCommands is replaced by the config commands (validate, schema, init).
func addConfigCommands(root *cobra.Command, io *cliIO) {}
