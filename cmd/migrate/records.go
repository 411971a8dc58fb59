package main

import "github.com/spf13/cobra"

// addRecordsCommands is replaced by the memo record commands (records, gc).
func addRecordsCommands(root *cobra.Command, io *cliIO) {}
