// gRPC handlers of cellfleet.v1.ModemAgent (callback API). Handlers read the hub's
// latest sample and never touch the serial port.
#ifndef CELLFLEET_AGENT_SERVICE_AGENT_SERVICE_H_
#define CELLFLEET_AGENT_SERVICE_AGENT_SERVICE_H_

#include <string>

#include "absl/time/time.h"
#include "agent/at/at_passthrough.h"
#include "agent/checks/doctor.h"
#include "agent/config/config_manager.h"
#include "agent/link/link_manager.h"
#include "agent/recovery/recovery_manager.h"
#include "agent/security/at_policy.h"
#include "agent/security/audit_log.h"
#include "agent/security/authorizer.h"
#include "agent/security/call_limits.h"
#include "agent/security/certificate_store.h"
#include "agent/status/history_store.h"
#include "agent/status/status_hub.h"
#include "agent/usage/usage_meter.h"
#include "base/clock.h"
#include "cellfleet/v1/agent_service.grpc.pb.h"

namespace cellfleet::agent {

struct ServiceInfo {
  std::string board_name;
  std::string version;
  absl::Duration min_sample_interval = absl::Seconds(1);  // the poll interval
};

// What the handlers serve from. Pointers must outlive the service; those marked
// optional may be null, and their calls then answer FAILED_PRECONDITION.
struct ServiceParts {
  StatusHub* hub = nullptr;
  const HistoryStore* history = nullptr;  // optional: no history kept
  const Authorizer* authorizer = nullptr;
  CallLimits* limits = nullptr;
  AuditLog* audit = nullptr;
  LinkManager* link = nullptr;               // optional: Dial and HangUp
  ConfigManager* config = nullptr;           // optional: the config calls
  AtPassthrough* at = nullptr;               // optional: RunAtCommand
  Doctor* doctor = nullptr;                  // optional: RunDoctor
  RecoveryManager* recovery = nullptr;       // optional: Recover
  UsageMeter* usage = nullptr;               // optional: GetUsage, OverrideDataCap
  const AtPolicy* at_policy = nullptr;       // required with `at`
  CertificateStore* certificates = nullptr;  // optional: the certificate calls (TLS only)
  const base::Clock* clock = &base::Clock::Real();
};

class AgentService final : public v1::ModemAgent::CallbackService {
 public:
  AgentService(ServiceParts parts, ServiceInfo info)
      : hub_(parts.hub),
        history_(parts.history),
        authorizer_(parts.authorizer),
        limits_(parts.limits),
        audit_(parts.audit),
        link_(parts.link),
        config_(parts.config),
        at_(parts.at),
        at_policy_(parts.at_policy),
        clock_(*parts.clock),
        doctor_(parts.doctor),
        recovery_(parts.recovery),
        usage_(parts.usage),
        certificates_(parts.certificates),
        info_(std::move(info)) {}

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::GetStatusResponse* response) override;
  grpc::ServerWriteReactor<v1::StatusUpdate>* WatchStatus(
      grpc::CallbackServerContext* context, const v1::WatchStatusRequest* request) override;

  grpc::ServerUnaryReactor* GetHistory(grpc::CallbackServerContext* context,
                                       const v1::GetHistoryRequest* request,
                                       v1::GetHistoryResponse* response) override;
  grpc::ServerUnaryReactor* Dial(grpc::CallbackServerContext* context,
                                 const v1::DialRequest* request,
                                 v1::DialResponse* response) override;
  grpc::ServerUnaryReactor* HangUp(grpc::CallbackServerContext* context,
                                   const v1::HangUpRequest* request,
                                   v1::HangUpResponse* response) override;
  grpc::ServerUnaryReactor* GetConfig(grpc::CallbackServerContext* context,
                                      const v1::GetConfigRequest* request,
                                      v1::GetConfigResponse* response) override;
  grpc::ServerUnaryReactor* ApplyConfig(grpc::CallbackServerContext* context,
                                        const v1::ApplyConfigRequest* request,
                                        v1::ApplyConfigResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmConfig(grpc::CallbackServerContext* context,
                                          const v1::ConfirmConfigRequest* request,
                                          v1::ConfirmConfigResponse* response) override;
  // From the latest sample (agent/diagnosis.h).
  grpc::ServerUnaryReactor* Diagnose(grpc::CallbackServerContext* context,
                                     const v1::DiagnoseRequest* request,
                                     v1::DiagnoseResponse* response) override;
  // Policy (agent/security/at_policy.h), then AtPassthrough; audited with the reply's
  // first line, allowed or refused.
  grpc::ServerUnaryReactor* RunAtCommand(grpc::CallbackServerContext* context,
                                         const v1::RunAtCommandRequest* request,
                                         v1::RunAtCommandResponse* response) override;
  // Live checks (agent/checks/doctor.h); a viewer's call, as Diagnose.
  grpc::ServerUnaryReactor* RunDoctor(grpc::CallbackServerContext* context,
                                      const v1::RunDoctorRequest* request,
                                      v1::RunDoctorResponse* response) override;
  // An operator's recovery step (agent/recovery/recovery_manager.h); audited.
  grpc::ServerUnaryReactor* Recover(grpc::CallbackServerContext* context,
                                    const v1::RecoverRequest* request,
                                    v1::RecoverResponse* response) override;
  grpc::ServerUnaryReactor* GetUsage(grpc::CallbackServerContext* context,
                                     const v1::GetUsageRequest* request,
                                     v1::GetUsageResponse* response) override;
  grpc::ServerUnaryReactor* OverrideDataCap(grpc::CallbackServerContext* context,
                                            const v1::OverrideDataCapRequest* request,
                                            v1::OverrideDataCapResponse* response) override;
  // The board's certificate (certificate_calls.cc): operator calls, audited, their work on
  // the certificate store's own thread.
  grpc::ServerUnaryReactor* CreateCertificateRequest(
      grpc::CallbackServerContext* context, const v1::CreateCertificateRequestRequest* request,
      v1::CreateCertificateRequestResponse* response) override;
  grpc::ServerUnaryReactor* InstallCertificate(grpc::CallbackServerContext* context,
                                               const v1::InstallCertificateRequest* request,
                                               v1::InstallCertificateResponse* response) override;
  grpc::ServerUnaryReactor* InstallRevocationList(
      grpc::CallbackServerContext* context, const v1::InstallRevocationListRequest* request,
      v1::InstallRevocationListResponse* response) override;

 private:
  // Finishes with PERMISSION_DENIED / UNAUTHENTICATED unless the caller has `needed`.
  bool Allowed(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor, Role needed,
               absl::string_view method) const;
  // Authorizes, writes the begin line, starts `call` once it is on disk (which finishes
  // through the callback it is given, on any thread) and writes the line with the outcome.
  using Finisher = std::function<void(grpc::Status)>;
  grpc::ServerUnaryReactor* Mutating(grpc::CallbackServerContext* context, absl::string_view method,
                                     const google::protobuf::Message& request,
                                     std::function<void(Finisher)> call);

  StatusHub* hub_;
  const HistoryStore* history_;
  const Authorizer* authorizer_;
  CallLimits* limits_;
  AuditLog* audit_;
  LinkManager* link_;
  ConfigManager* config_;
  AtPassthrough* at_;
  const AtPolicy* at_policy_;
  const base::Clock& clock_;
  Doctor* doctor_;
  RecoveryManager* recovery_;
  UsageMeter* usage_;
  CertificateStore* certificates_;
  ServiceInfo info_;
};

}  // namespace cellfleet::agent

#endif  // CELLFLEET_AGENT_SERVICE_AGENT_SERVICE_H_
