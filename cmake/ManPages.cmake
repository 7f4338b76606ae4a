# Man pages built from the programs' own --help by scripts/man_page.sh (help2man) and
# installed by the packages. They run the built programs, so they are made where those
# run: not when cross-compiling (the arm64 packages ship without them), nor in the
# sanitizer builds, which package nothing.
include(GNUInstallDirs)
set(CELLFLEET_MAN_PAGES OFF)
if(NOT CMAKE_CROSSCOMPILING AND NOT CELLFLEET_SANITIZE AND NOT CELLFLEET_TSAN)
  find_program(HELP2MAN help2man REQUIRED)
  set(CELLFLEET_MAN_PAGES ON)
endif()

function(cellfleet_man_page target name section component summary)
  if(NOT CELLFLEET_MAN_PAGES)
    return()
  endif()
  set(page ${CMAKE_BINARY_DIR}/man/${name}.${section}.gz)
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/man_page.sh $<TARGET_FILE:${target}> ${name}
            ${section} ${summary} ${PROJECT_SOURCE_DIR}/docs/man/${name}.h2m ${page}
    DEPENDS ${target} ${PROJECT_SOURCE_DIR}/scripts/man_page.sh
            ${PROJECT_SOURCE_DIR}/docs/man/${name}.h2m
    COMMENT "Man page ${name}(${section}) from ${name} --help"
    VERBATIM)
  add_custom_target(man_${name} ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${component})
endfunction()

cellfleet_man_page(cellfleet cellfleet 1 cli
  "manage a fleet of LTE modems through their cellfleet agents")
cellfleet_man_page(cellfleet-collector cellfleet-collector 1 cli
  "the fleet's status streams as Prometheus metrics")
cellfleet_man_page(cellfleet-gateway cellfleet-gateway 8 gateway
  "relay operators to boards behind carrier NAT that dial out to it")
cellfleet_man_page(cellfleet-agent cellfleet-agent 8 agent
  "serve an LTE modem's status and control over gRPC")
