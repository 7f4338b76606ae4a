# Debian packages with CPack: cellfleet-agent (agent, simulator, systemd unit, udev
# rules, example config), cellfleet (the CLI, the collector and its Prometheus alert
# rules, and the certificate script: the CA stays on the operator's machine, where
# `cellfleet cert` signs with it) and cellfleet-gateway (the gateway, its unit and
# example settings).
include(GNUInstallDirs)
include(${PROJECT_SOURCE_DIR}/cmake/ManPages.cmake)

install(TARGETS cellfleet-agent cellfleet-modemsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent)
install(FILES deploy/systemd/cellfleet-agent.service DESTINATION lib/systemd/system COMPONENT agent)
install(FILES deploy/udev/70-cellfleet-quectel.rules DESTINATION lib/udev/rules.d COMPONENT agent)
install(FILES deploy/agent.example.yaml DESTINATION /etc/cellfleet RENAME agent.yaml COMPONENT agent)
# Root's pppd options for the link (docs/install.md, "Dialing as the service user").
install(FILES deploy/ppp/cellfleet DESTINATION /etc/ppp/peers COMPONENT agent)
install(FILES deploy/modules-load/cellfleet.conf DESTINATION lib/modules-load.d COMPONENT agent)
install(FILES README.md deploy/agent.example.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/cellfleet-agent COMPONENT agent)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/cellfleet-agent/docs COMPONENT agent
  FILES_MATCHING PATTERN "*.md" PATTERN "*.svg" PATTERN "man" EXCLUDE)

install(TARGETS cellfleet cellfleet-collector RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(FILES README.md deploy/inventory.example.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/cellfleet COMPONENT cli)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/cellfleet/docs COMPONENT cli
  FILES_MATCHING PATTERN "*.md" PATTERN "*.svg" PATTERN "man" EXCLUDE)
install(FILES deploy/bash-completion/cellfleet DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT cli)
install(FILES deploy/prometheus/cellfleet-alerts.yml DESTINATION ${CMAKE_INSTALL_DATADIR}/cellfleet/prometheus COMPONENT cli)
install(PROGRAMS deploy/make-certs.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/cellfleet COMPONENT cli)

install(TARGETS cellfleet-gateway RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT gateway)
install(FILES deploy/systemd/cellfleet-gateway.service DESTINATION lib/systemd/system COMPONENT gateway)
install(FILES deploy/gateway.example.yaml DESTINATION /etc/cellfleet RENAME gateway.yaml COMPONENT gateway)
install(PROGRAMS deploy/make-certs.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/cellfleet-gateway COMPONENT gateway)
install(FILES README.md deploy/gateway.example.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/cellfleet-gateway COMPONENT gateway)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/cellfleet-gateway/docs COMPONENT gateway
  FILES_MATCHING PATTERN "*.md" PATTERN "*.svg" PATTERN "man" EXCLUDE)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_VENDOR "cellfleet")
set(CPACK_PACKAGE_CONTACT "cellfleet maintainers <cellfleet@localhost>")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL agent cli gateway)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # runtime library packages from dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME cellfleet-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "ppp, adduser")
set(CPACK_DEBIAN_AGENT_PACKAGE_RECOMMENDS "openssl")
set(CPACK_COMPONENT_AGENT_DESCRIPTION "cellfleet on-device agent for Quectel LTE modems\n Serves modem status, signal streaming, history and PPP control over gRPC.")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/deploy/debian/postinst;${PROJECT_SOURCE_DIR}/deploy/debian/prerm;${PROJECT_SOURCE_DIR}/deploy/debian/postrm;${PROJECT_SOURCE_DIR}/deploy/debian/conffiles")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME cellfleet)
set(CPACK_DEBIAN_CLI_PACKAGE_RECOMMENDS "gnuplot-nox")  # --chart and fleet-chart draw with it
set(CPACK_COMPONENT_CLI_DESCRIPTION "cellfleet fleet CLI\n Status, live signal, history and control of many cellfleet agents at once.")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_NAME cellfleet-gateway)
set(CPACK_DEBIAN_GATEWAY_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_RECOMMENDS "openssl")
set(CPACK_COMPONENT_GATEWAY_DESCRIPTION "cellfleet gateway for boards behind carrier NAT\n Boards dial out to it; operators reach them through it, their TLS ending on the board.")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/deploy/debian/gateway/postinst;${PROJECT_SOURCE_DIR}/deploy/debian/gateway/prerm;${PROJECT_SOURCE_DIR}/deploy/debian/gateway/postrm;${PROJECT_SOURCE_DIR}/deploy/debian/gateway/conffiles")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_CONTROL_STRICT_PERMISSION ON)
if(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
endif()
include(CPack)
