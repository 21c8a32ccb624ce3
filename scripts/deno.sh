#!/bin/sh
# Entry of every `deno task`. Inside a task, Deno resolves a bare `deno` to node_modules/.bin/deno and,
# taking it for an npm bin script, tries to run the ELF binary of the npm "deno" package as JavaScript.
# The shell has no such rule: it executes whichever deno comes first on PATH (the task puts
# node_modules/.bin first, so the project's own Deno when installed, else a system-wide one).
exec deno "$@"
