# Sanitizer builds: -DREGENATLAS_SANITIZE=address (AddressSanitizer +
# UndefinedBehaviorSanitizer, LeakSanitizer included) or =thread
# (ThreadSanitizer). Every target of the project is instrumented: the
# generated proto/gRPC code, the libraries, the binary and the tests.
# scripts/test-sanitizers.sh configures build-asan/ and build-tsan/ with it
# (gcc; clang works too once the sources compile with it) and runs their
# ctest. See docs/testing.md.
#
# Debian's gRPC, protobuf, abseil and RocksDB are not instrumented. For ASan
# that only means no checks inside them. For TSan it means their
# synchronisation is invisible: absl::Mutex is futex-based inside
# libabsl_synchronization.so, so every access protected by one would look
# like a race. In TSan builds every executable is therefore linked with
# -Wl,--wrap=<absl::Mutex/CondVar/Notification/BlockingCounter symbols> and
# common/tsan_absl_annotations.cc, whose wrappers tell TSan about each lock,
# unlock and hand-off (the same annotations abseil makes when it is itself
# built with TSan).
set(REGENATLAS_SANITIZE "" CACHE STRING
    "Sanitizer build: address (ASan+UBSan), thread (TSan) or empty (none)")
set_property(CACHE REGENATLAS_SANITIZE PROPERTY STRINGS "" address thread)
# Sanitizer builds trade optimisation and debug info for compile time: -O1
# keeps the instrumented code fast enough for the end-to-end tests, line
# tables are enough for symbolised reports.
set(REGENATLAS_SANITIZE_OPT "-O1" CACHE STRING
    "Optimisation flag appended in sanitizer builds (overrides the build type's)")

if(REGENATLAS_SANITIZE STREQUAL "")
  return()
endif()
if(NOT REGENATLAS_SANITIZE MATCHES "^(address|thread)$")
  message(FATAL_ERROR "REGENATLAS_SANITIZE must be address or thread, not '${REGENATLAS_SANITIZE}'")
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(_regenatlas_san_debug -gline-tables-only)
else()
  set(_regenatlas_san_debug -g1)
endif()
# Appended after CMAKE_CXX_FLAGS_<CONFIG>, so these win over -O2 -g.
separate_arguments(_regenatlas_san_opt UNIX_COMMAND "${REGENATLAS_SANITIZE_OPT}")
add_compile_options(${_regenatlas_san_opt} ${_regenatlas_san_debug} -fno-omit-frame-pointer)
# The binary keeps abseil's mutex deadlock detection in these builds
# (cmd/regenatlas/main.cc turns it off in release builds only).
add_compile_definitions(REGENATLAS_SANITIZER_BUILD)

if(REGENATLAS_SANITIZE STREQUAL "address")
  set(_regenatlas_san_flags -fsanitize=address,undefined)
  add_compile_options(${_regenatlas_san_flags} -fno-sanitize-recover=undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # Third-party header code that trips UBSan checks harmlessly (each entry
    # says why).
    add_compile_options(-fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/tests/sanitizers/ubsan_ignorelist.txt)
  endif()
else()
  set(_regenatlas_san_flags -fsanitize=thread)
  add_compile_options(${_regenatlas_san_flags})
endif()
add_link_options(${_regenatlas_san_flags})
# lld links the large instrumented test executables several times faster
# than GNU ld (gcc and clang both find it as ld.lld on the PATH).
find_program(REGENATLAS_LLD NAMES ld.lld)
if(REGENATLAS_LLD)
  add_link_options(-fuse-ld=lld)
endif()

# The runtime options every test process gets (ctest reads this file before
# running tests; the e2e tests' servers inherit the environment). Reports go to
# files under sanitizer-logs/, which scripts/test-sanitizers.sh prints and
# fails on, so that a report in a server process an e2e test started is never
# lost. A variable already set in the environment wins.
set(REGENATLAS_SANITIZER_LOG_DIR ${CMAKE_BINARY_DIR}/sanitizer-logs)
set(_supp ${PROJECT_SOURCE_DIR}/tests/sanitizers)
set(_log ${REGENATLAS_SANITIZER_LOG_DIR})
# The e2e helpers keep a server log holding a report here (gcc's UBSan
# ignores log_path and writes to the server's stderr).
set(_regenatlas_san_env "REGENATLAS_SANITIZER_LOG_DIR=${_log}")
if(REGENATLAS_SANITIZE STREQUAL "address")
  list(APPEND _regenatlas_san_env
    "ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:halt_on_error=1:log_path=${_log}/asan"
    "LSAN_OPTIONS=suppressions=${_supp}/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=${_log}/ubsan"
    # Instrumented servers start and answer slower: e2e helpers scale timeouts.
    "REGENATLAS_TEST_TIMEOUT_SCALE=3")
else()
  list(APPEND _regenatlas_san_env
    # ignore_noninstrumented_modules: memcpy/free/... that Debian's
    # uninstrumented libraries (gRPC, protobuf, RocksDB, libstdc++) call are
    # not checked: TSan cannot see those libraries' own synchronisation.
    # history_size=4: deep enough to restore both stacks of a report, which
    # the suppressions need.
    "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:history_size=4:ignore_noninstrumented_modules=1:suppressions=${_supp}/tsan.supp:print_suppressions=0:log_path=${_log}/tsan"
    "REGENATLAS_TEST_TIMEOUT_SCALE=5")
endif()
set(_env_file ${CMAKE_BINARY_DIR}/sanitizer_test_env.cmake)
set(_content "# Generated by cmake/Sanitizers.cmake: test environment of this sanitizer build.\n")
string(APPEND _content "file(MAKE_DIRECTORY \"${_log}\")\n")
foreach(kv IN LISTS _regenatlas_san_env)
  string(REGEX MATCH "^[A-Z_]+" k "${kv}")
  string(LENGTH "${k}=" n)
  string(SUBSTRING "${kv}" ${n} -1 v)
  string(APPEND _content "if(NOT DEFINED ENV{${k}})\n  set(ENV{${k}} \"${v}\")\nendif()\n")
endforeach()
file(WRITE ${_env_file} "${_content}")
set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY TEST_INCLUDE_FILES ${_env_file})

if(REGENATLAS_SANITIZE STREQUAL "thread")
  # Mangled names of the abseil functions to wrap; abseil's inline namespace
  # (Debian: absl::debian3) is part of them, read from its options.h.
  find_file(REGENATLAS_ABSL_OPTIONS_H absl/base/options.h REQUIRED)
  file(STRINGS ${REGENATLAS_ABSL_OPTIONS_H} _ns_line
       REGEX "^#define ABSL_OPTION_INLINE_NAMESPACE_NAME ")
  file(STRINGS ${REGENATLAS_ABSL_OPTIONS_H} _use_ns_line
       REGEX "^#define ABSL_OPTION_USE_INLINE_NAMESPACE ")
  set(_ns "")
  if(_use_ns_line MATCHES " 1$")
    string(REGEX REPLACE "^#define ABSL_OPTION_INLINE_NAMESPACE_NAME +" "" _ns_name "${_ns_line}")
    string(STRIP "${_ns_name}" _ns_name)
    string(LENGTH "${_ns_name}" _ns_len)
    set(_ns "${_ns_len}${_ns_name}")
  endif()
  # <prefix>|<rest>: _ZN4absl<ns><rest> (or _ZNK4absl... for const members).
  set(_absl_syms
    # absl::Mutex
    "N|5Mutex4LockEv" "N|5Mutex6UnlockEv" "N|5Mutex7TryLockEv"
    "N|5Mutex10ReaderLockEv" "N|5Mutex12ReaderUnlockEv" "N|5Mutex13ReaderTryLockEv"
    "N|5Mutex8LockWhenERKNS0_9ConditionE"
    "N|5Mutex14ReaderLockWhenERKNS0_9ConditionE"
    "N|5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"
    "N|5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"
    "N|5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE"
    "N|5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE"
    "N|5Mutex5AwaitERKNS0_9ConditionE"
    "N|5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE"
    "N|5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE"
    "N|5MutexD1Ev" "N|5MutexD2Ev"
    "N|19ReleasableMutexLock7ReleaseEv"
    # absl::CondVar
    "N|7CondVar4WaitEPNS0_5MutexE"
    "N|7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE"
    "N|7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE"
    # absl::Notification
    "N|12Notification6NotifyEv"
    "NK|12Notification19WaitForNotificationEv"
    "NK|12Notification30WaitForNotificationWithTimeoutENS0_8DurationE"
    "NK|12Notification31WaitForNotificationWithDeadlineENS0_4TimeE"
    # absl::BlockingCounter
    "N|15BlockingCounter14DecrementCountEv"
    "N|15BlockingCounter4WaitEv")
  set(_wrap_opts)
  foreach(s IN LISTS _absl_syms)
    string(REPLACE "|" ";" parts "${s}")
    list(GET parts 0 kind)
    list(GET parts 1 rest)
    list(APPEND _wrap_opts "LINKER:--wrap=_Z${kind}4absl${_ns}${rest}")
  endforeach()
  add_library(regenatlas_tsan_absl OBJECT ${PROJECT_SOURCE_DIR}/common/tsan_absl_annotations.cc)
  target_compile_definitions(regenatlas_tsan_absl PRIVATE REGENATLAS_ABSL_NS=${_ns})
  target_link_libraries(regenatlas_tsan_absl PUBLIC absl::synchronization)
  # Executables only (static libraries are not linked): at the end of the
  # top-level CMakeLists.txt, each executable gets the wrappers and the
  # --wrap options.
  function(regenatlas_tsan_wrap_executables dir)
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(t IN LISTS targets)
      get_target_property(type ${t} TYPE)
      if(type STREQUAL "EXECUTABLE")
        target_link_libraries(${t} PRIVATE regenatlas_tsan_absl)
        target_link_options(${t} PRIVATE ${_wrap_opts})
      endif()
    endforeach()
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    foreach(d IN LISTS subdirs)
      regenatlas_tsan_wrap_executables(${d})
    endforeach()
  endfunction()
  cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR}
                 CALL regenatlas_tsan_wrap_executables ${PROJECT_SOURCE_DIR})
endif()
