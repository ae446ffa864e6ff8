# Example programs turn iai's errors into one line on stderr and exit code 2
# (examples/common/experiment.hpp, guardedMain). Runs `train` with bad input of each kind and
# checks the exit code and that stderr ends with exactly one line "train: error: <message>":
#   cmake -DTRAIN=<path to train> -DOUT=<scratch folder> -P example_exit_code.cmake
set(tiny "--data fashion-mnist --train-examples 16 --test-examples 16 --validation 0 --hidden 8 --inference-hidden 8 --epochs 1 --out ${OUT}")
set(cases
  "--epochs -3|arguments: --epochs is -3, but must be"
  "--lr 0|arguments: --lr is 0, but must be"
  "--iterations 0|arguments: --iterations is 0, but must be"
  "--samples 0|arguments: --samples is 0, but must be"
  "--data /nonexistent-iai-data --epochs 1|Dataset::load: '/nonexistent-iai-data' is neither"
  "${tiny} --batch 32|VariationalEM::fit: source.size\\(\\) is 16, but must be")
foreach(case IN LISTS cases)
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 args)
  list(GET parts 1 expected)
  separate_arguments(args UNIX_COMMAND "${args}")
  execute_process(COMMAND ${TRAIN} ${args} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  string(STRIP "${err}" err)
  string(REGEX MATCHALL "train: error: " errors "${err}")
  list(LENGTH errors n_errors)
  string(REGEX REPLACE ".*\n" "" last_line "${err}")
  if(NOT rc EQUAL 2 OR NOT n_errors EQUAL 1 OR NOT last_line MATCHES "^train: error: ${expected}")
    message(FATAL_ERROR "train ${args}: exit code ${rc} (expected 2), stderr:\n${err}\n"
                        "(expected a last line 'train: error: ${expected}...')")
  endif()
  message(STATUS "exit 2: ${last_line}")
endforeach()
