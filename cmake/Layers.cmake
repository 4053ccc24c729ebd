# One static library per layer, from every .cpp under src/<layer> except main.cpp.
# Globbing (with CONFIGURE_DEPENDS) lets a new file join its layer without editing
# CMake; the layer's allowed dependencies are stated once, here and in tools/check-layers.
function(sb_layer name)
  cmake_parse_arguments(L "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${name}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX "/main\\.cpp$")
  if(NOT srcs)  # a layer being started has no source yet
    set(srcs ${CMAKE_BINARY_DIR}/empty_${name}.cpp)
    file(WRITE ${srcs} "// layer ${name} has no sources yet\n")
  endif()
  add_library(sb_${name} STATIC ${srcs})
  add_library(switchboard::${name} ALIAS sb_${name})
  target_include_directories(sb_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(sb_${name} PUBLIC ${L_DEPS})
endfunction()

# One GoogleTest executable per layer from tests/unit/<layer>/*_test.cpp.
function(sb_unit_tests layer)
  cmake_parse_arguments(T "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/${layer}/*_test.cpp)
  if(NOT srcs)
    return()
  endif()
  add_executable(${layer}_tests ${srcs})
  target_link_libraries(${layer}_tests PRIVATE sb_${layer} sb_testsupport ${T_DEPS} GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${layer}_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
