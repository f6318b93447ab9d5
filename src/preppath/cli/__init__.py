"""The command line: parsing and rendering only; the work happens in `preppath.services`."""
