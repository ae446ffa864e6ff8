# Flags for iai's own programs (tests, examples, benchmarks, fuzzers), never for consumers:
#   iai_warnings  warnings (errors with IAI_WERROR)
#   iai_program   iai_warnings + speed flags (-O3, -march=native with IAI_NATIVE) + the build
#                 information that programs reporting numbers print:
#                 IAI_BUILD_COMPILER ("GNU 12.2.0") and IAI_BUILD_FLAGS (the optimisation-relevant
#                 flags of the build type, CMAKE_CXX_FLAGS and the speed flags; no warning flags).
add_library(iai_warnings INTERFACE)
if(MSVC)
  target_compile_options(iai_warnings INTERFACE /W4 $<$<BOOL:${IAI_WERROR}>:/WX>)
else()
  target_compile_options(iai_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                         $<$<BOOL:${IAI_WERROR}>:-Werror>)
endif()

set(iai_speed_flags)
if(NOT MSVC)
  list(APPEND iai_speed_flags -O3)
  if(IAI_NATIVE)
    list(APPEND iai_speed_flags -march=native)
  endif()
endif()
# GCC 12 false positives in its AVX-512 headers under -march=native (GCC bug 105593).
set(iai_speed_warnings $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-uninitialized>)

# The flags string per build type (a generator expression, so multi-config generators work too).
set(iai_config_flags)
set(iai_configs Debug Release RelWithDebInfo MinSizeRel ${CMAKE_CONFIGURATION_TYPES} ${CMAKE_BUILD_TYPE})
list(REMOVE_DUPLICATES iai_configs)
foreach(config IN LISTS iai_configs)
  string(TOUPPER "${config}" upper)
  string(APPEND iai_config_flags "$<$<CONFIG:${config}>:${CMAKE_CXX_FLAGS_${upper}}>")
endforeach()
list(JOIN iai_speed_flags " " iai_speed_string)
set(iai_flags_string "${CMAKE_CXX_FLAGS} ${iai_config_flags} ${iai_speed_string}")
if(IAI_USE_BLAS)
  string(APPEND iai_flags_string " -DEIGEN_USE_BLAS")
endif()
string(REGEX REPLACE "  +" " " iai_flags_string "${iai_flags_string}")
string(STRIP "${iai_flags_string}" iai_flags_string)

add_library(iai_program INTERFACE)
target_link_libraries(iai_program INTERFACE iai_warnings)
target_compile_options(iai_program INTERFACE ${iai_speed_flags} ${iai_speed_warnings})
target_compile_definitions(iai_program INTERFACE
  "IAI_BUILD_COMPILER=\"${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}\""
  "IAI_BUILD_FLAGS=\"${iai_flags_string}\"")
