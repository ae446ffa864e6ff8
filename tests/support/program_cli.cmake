# A program people can drive (examples/common/args.hpp): --help and -h print the usage and every
# option with its default to stdout, exit 0 and run nothing; bad input exits 2 with exactly one
# line "<program>: error: arguments: ..." on stderr and nothing on stdout. One script for every
# program (examples/CMakeLists.txt):
#   cmake -DPROGRAM=<path> -DNAME=<program> -DOPTION=<one of its options that takes a value>
#         -DBAD_OPTION=<option> -DBAD_VALUE=<a value it rejects> -DBAD_EXPECTED=<text of the error>
#         -P program_cli.cmake
foreach(var PROGRAM NAME OPTION BAD_OPTION BAD_VALUE BAD_EXPECTED)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "program_cli.cmake: -D${var}=... is missing")
  endif()
endforeach()

# --help and -h: the same help, a known option with its default, nothing run (no JSON line)
set(help_text "")
foreach(flag --help -h)
  execute_process(COMMAND ${PROGRAM} ${flag} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 60)
  if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
    message(FATAL_ERROR "${NAME} ${flag}: exit code ${rc} (expected 0), stderr:\n${err}")
  endif()
  if(NOT out MATCHES "^Usage: ${NAME} \\[options\\]\n")
    message(FATAL_ERROR "${NAME} ${flag}: no usage line at the top of:\n${out}")
  endif()
  if(NOT out MATCHES "\n  --${OPTION} [^\n]*\\[(default: |required)[^\n]*\\]\n")
    message(FATAL_ERROR "${NAME} ${flag}: no line for --${OPTION} with its default in:\n${out}")
  endif()
  if(out MATCHES "(^|\n){")
    message(FATAL_ERROR "${NAME} ${flag}: printed a JSON line (it ran something):\n${out}")
  endif()
  if(flag STREQUAL "-h" AND NOT out STREQUAL help_text)
    message(FATAL_ERROR "${NAME} -h differs from ${NAME} --help")
  endif()
  set(help_text "${out}")
endforeach()

# bad input: exit code 2, one line on stderr, nothing on stdout
function(expect_error expected)
  execute_process(COMMAND ${PROGRAM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 60)
  string(REGEX REPLACE "\n$" "" line "${err}")
  string(FIND "${line}" "\n" newline)
  string(FIND "${line}" "${NAME}: error: arguments: ${expected}" at)
  if(NOT rc EQUAL 2 OR NOT newline EQUAL -1 OR NOT at EQUAL 0 OR NOT out STREQUAL "")
    message(FATAL_ERROR "${NAME} ${ARGN}: exit code ${rc} (expected 2), stdout:\n${out}\nstderr:\n"
                        "${err}\n(expected one line '${NAME}: error: arguments: ${expected}...')")
  endif()
  message(STATUS "exit 2: ${line}")
endfunction()
expect_error("--no-such-option is unknown, but must be an option that ${NAME} --help lists"
             --no-such-option 1)
expect_error("--${OPTION} is missing, but must be followed by a value" --${OPTION})
expect_error("--${BAD_OPTION} is ${BAD_VALUE}, but must be ${BAD_EXPECTED}"
             --${BAD_OPTION} ${BAD_VALUE})
expect_error("--${BAD_OPTION} is ${BAD_VALUE}, but must be ${BAD_EXPECTED}"
             --${BAD_OPTION}=${BAD_VALUE})
message(STATUS "${NAME}: --help, -h and bad input as documented")
