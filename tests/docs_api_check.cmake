# ctest docs/api_reference_complete: builds the Doxygen API reference (target iai_docs) and fails
# on any warning, e.g. an undocumented public class, function or member of include/iai.
#   cmake -DBUILD=<build dir> -P tests/docs_api_check.cmake
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --target iai_docs
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the iai_docs target failed:\n${out}")
endif()
file(READ ${BUILD}/docs/api/warnings.log warnings)
if(NOT warnings STREQUAL "")
  message(FATAL_ERROR "Doxygen warnings (document the public API):\n${warnings}")
endif()
message(STATUS "API reference: no Doxygen warnings")
