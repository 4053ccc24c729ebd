# Default voice prompts (docs/prompts.md): tools/make-prompts speaks prompts/prompts.tsv
# with espeak-ng and synthesizes the hold melody into ${SB_DEFAULT_PROMPTS_DIR}, again
# only when the table or the script changes. sb_app gets the directory as
# SB_DEFAULT_PROMPTS_DIR. Included after sb_layer(app); fuzz builds need no prompts.
set(SB_DEFAULT_PROMPTS_DIR ${CMAKE_BINARY_DIR}/prompts)
target_compile_definitions(sb_app PRIVATE SB_DEFAULT_PROMPTS_DIR="${SB_DEFAULT_PROMPTS_DIR}")
if(SB_FUZZ)
  return()  # the fuzz targets play no prompt: the directory stays empty
endif()
set(sb_prompts_stamp ${SB_DEFAULT_PROMPTS_DIR}/.stamp)
find_program(SB_ESPEAK_NG espeak-ng)
if(NOT SB_ESPEAK_NG)
  message(WARNING "espeak-ng not found: the build fails at sb_prompts (apt-get install espeak-ng)")
endif()

add_custom_command(
  OUTPUT ${sb_prompts_stamp}
  COMMAND ${CMAKE_SOURCE_DIR}/tools/make-prompts --tsv ${CMAKE_SOURCE_DIR}/prompts/prompts.tsv
          --out ${SB_DEFAULT_PROMPTS_DIR}
  COMMAND ${CMAKE_COMMAND} -E touch ${sb_prompts_stamp}
  DEPENDS ${CMAKE_SOURCE_DIR}/prompts/prompts.tsv ${CMAKE_SOURCE_DIR}/tools/make-prompts
  COMMENT "Generating the default voice prompts with espeak-ng"
  VERBATIM)
add_custom_target(sb_prompts ALL DEPENDS ${sb_prompts_stamp})

add_dependencies(sb_app sb_prompts)
