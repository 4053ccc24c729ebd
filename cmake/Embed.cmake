# Turns a text file into a C++ source defining `extern const char NAME[]` with its bytes.
# The file is read at configure time and re-read when it changes.
function(sb_embed_text target name file)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(READ ${file} content HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
  set(out ${CMAKE_BINARY_DIR}/generated/${name}.cpp)
  file(WRITE ${out} "extern const char ${name}[];\nconst char ${name}[] = {${bytes}0x00};\n")
  target_sources(${target} PRIVATE ${out})
endfunction()
