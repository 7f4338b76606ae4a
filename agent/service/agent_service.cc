#include "agent/service/agent_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "agent/checks/diagnosis.h"
#include "agent/config/connection_config.h"
#include "agent/service/watch_reactor.h"
#include "agent/status/update_filter.h"
#include "base/duration_text.h"
#include "convert/valid_utf8.h"
#include "modem/operator_command.h"
#include "modem/replies/command_timeouts.h"
#include "proto/grpc_status.h"
#include "proto/time_convert.h"

namespace cellfleet::agent {
namespace {

// A stream that ends at once with `status` (bad request, shutting down).
class FailedWatch : public grpc::ServerWriteReactor<v1::StatusUpdate> {
 public:
  explicit FailedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

grpc::Status NoConfig() {
  return grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION,
      "config push is off on this agent: its state dir is not usable (see its log)");
}

// Who applied or confirmed a config: the certificate's name, else the peer address.
std::string CallerName(const Caller& caller) {
  return caller.identity.empty() ? absl::StrCat("unauthenticated ", caller.peer) : caller.identity;
}

}  // namespace

grpc::ServerUnaryReactor* AgentService::GetStatus(grpc::CallbackServerContext* context,
                                                  const v1::GetStatusRequest* /*request*/,
                                                  v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Allowed(context, reactor, Role::kViewer, "GetStatus")) return reactor;
  StatusPtr latest = hub_->Latest();
  if (latest == nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "no status sampled yet; retry"));
    return reactor;
  }
  *response->mutable_status() = *latest;
  response->set_board_name(info_.board_name);
  response->set_agent_version(info_.version);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<v1::StatusUpdate>* AgentService::WatchStatus(
    grpc::CallbackServerContext* context, const v1::WatchStatusRequest* request) {
  const Caller caller = authorizer_->Identify(*context);
  grpc::Status allowed = authorizer_->Check(caller, Role::kViewer, "WatchStatus");
  if (!allowed.ok()) return new FailedWatch(allowed);
  absl::StatusOr<UpdateFilter> filter = UpdateFilter::Create(*request, info_.min_sample_interval);
  if (!filter.ok()) return new FailedWatch(ToGrpcStatus(filter.status()));
  absl::StatusOr<CallLimits::Slot> slot = limits_->OpenStream(caller);
  if (!slot.ok()) return new FailedWatch(ToGrpcStatus(slot.status()));
  return new WatchReactor(hub_, std::move(*filter), clock_, *std::move(slot));
}

grpc::ServerUnaryReactor* AgentService::GetHistory(grpc::CallbackServerContext* context,
                                                   const v1::GetHistoryRequest* request,
                                                   v1::GetHistoryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Allowed(context, reactor, Role::kViewer, "GetHistory")) return reactor;
  if (history_ == nullptr) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this agent keeps no history"));
    return reactor;
  }
  if (request->has_start_time() && request->has_end_time() &&
      FromProtoTime(request->end_time()) < FromProtoTime(request->start_time())) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "end_time is before start_time"));
    return reactor;
  }
  *response = history_->Query(*request);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}
bool AgentService::Allowed(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                           Role needed, absl::string_view method) const {
  grpc::Status allowed = authorizer_->Check(authorizer_->Identify(*context), needed, method);
  if (allowed.ok()) return true;
  reactor->Finish(allowed);
  return false;
}

grpc::ServerUnaryReactor* AgentService::Mutating(grpc::CallbackServerContext* context,
                                                 absl::string_view method,
                                                 const google::protobuf::Message& request,
                                                 std::function<void(Finisher)> call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const Caller caller = authorizer_->Identify(*context);
  const std::string what = request.ShortDebugString();
  Finisher finish = [this, reactor, caller, method = std::string(method),
                     what](grpc::Status result) {
    audit_->Record(caller, method, what, result, [reactor, result] { reactor->Finish(result); });
  };
  grpc::Status allowed = authorizer_->Check(caller, Role::kOperator, method);
  if (!allowed.ok()) {
    finish(allowed);
    return reactor;
  }
  // Fail closed: nothing changes on the board until its begin line is on disk.
  audit_->Begin(caller, method, what,
                [finish = std::move(finish), call = std::move(call)](absl::Status written) {
                  if (!written.ok()) return finish(ToGrpcStatus(written));
                  call(finish);
                });
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::Dial(grpc::CallbackServerContext* context,
                                             const v1::DialRequest* request,
                                             v1::DialResponse* response) {
  // The call's own deadline bounds the dial, and the modem's own limit.
  const absl::Time deadline =
      std::min(absl::FromChrono(context->deadline()),
               base::Clock::Real().Now() + modem::kDialTimeLimit);  // as gRPC's: real
  return Mutating(context, "Dial", *request, [this, response, deadline](Finisher finish) {
    if (link_ == nullptr) {
      finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "no PPP connection is configured on this agent"));
      return;
    }
    link_->Dial(deadline, [response, finish](absl::StatusOr<v1::ConnectionStatus> link) {
      if (link.ok()) *response->mutable_connection() = *link;
      finish(ToGrpcStatus(link.status()));
    });
  });
}

grpc::ServerUnaryReactor* AgentService::HangUp(grpc::CallbackServerContext* context,
                                               const v1::HangUpRequest* request,
                                               v1::HangUpResponse* response) {
  return Mutating(context, "HangUp", *request, [this, response](Finisher finish) {
    if (link_ == nullptr) {
      finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "no PPP connection is configured on this agent"));
      return;
    }
    link_->HangUp([response, finish](v1::ConnectionStatus link) {
      *response->mutable_connection() = std::move(link);
      finish(grpc::Status::OK);
    });
  });
}

grpc::ServerUnaryReactor* AgentService::GetConfig(grpc::CallbackServerContext* context,
                                                  const v1::GetConfigRequest* request,
                                                  v1::GetConfigResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Allowed(context, reactor, Role::kViewer, "GetConfig")) return reactor;
  if (config_ == nullptr) {
    reactor->Finish(NoConfig());
    return reactor;
  }
  *response = config_->Get(request->include_previous());  // secrets masked
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::ApplyConfig(grpc::CallbackServerContext* context,
                                                    const v1::ApplyConfigRequest* request,
                                                    v1::ApplyConfigResponse* response) {
  v1::ApplyConfigRequest masked = *request;  // never write a password into the audit log
  *masked.mutable_config() = Masked(masked.config());
  const std::string by = CallerName(authorizer_->Identify(*context));
  return Mutating(context, "ApplyConfig", masked, [this, request, response, by](Finisher finish) {
    if (config_ == nullptr) return finish(NoConfig());
    config_->Apply(*request, by, [response, finish](absl::StatusOr<v1::ApplyConfigResponse> r) {
      if (r.ok()) *response = *std::move(r);
      finish(ToGrpcStatus(r.status()));
    });
  });
}

grpc::ServerUnaryReactor* AgentService::ConfirmConfig(grpc::CallbackServerContext* context,
                                                      const v1::ConfirmConfigRequest* request,
                                                      v1::ConfirmConfigResponse* response) {
  const std::string by = CallerName(authorizer_->Identify(*context));
  return Mutating(
      context, "ConfirmConfig", *request, [this, request, response, by](Finisher finish) {
        if (config_ == nullptr) return finish(NoConfig());
        config_->Confirm(request->version(), by,
                         [response, finish](absl::StatusOr<v1::ConfirmConfigResponse> r) {
                           if (r.ok()) *response = *std::move(r);
                           finish(ToGrpcStatus(r.status()));
                         });
      });
}

grpc::ServerUnaryReactor* AgentService::Diagnose(grpc::CallbackServerContext* context,
                                                 const v1::DiagnoseRequest* /*request*/,
                                                 v1::DiagnoseResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Allowed(context, reactor, Role::kViewer, "Diagnose")) return reactor;
  StatusPtr latest = hub_->Latest();
  if (latest == nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "no status sampled yet; retry"));
    return reactor;
  }
  *response = agent::Diagnose(*latest, clock_.Now(), info_.min_sample_interval);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::RunDoctor(grpc::CallbackServerContext* context,
                                                  const v1::RunDoctorRequest* /*request*/,
                                                  v1::RunDoctorResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const Caller caller = authorizer_->Identify(*context);
  if (grpc::Status allowed = authorizer_->Check(caller, Role::kViewer, "RunDoctor");
      !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  if (doctor_ == nullptr) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this agent runs no doctor"));
    return reactor;
  }
  absl::StatusOr<CallLimits::Slot> slot = limits_->UseModem(caller, "RunDoctor");
  if (!slot.ok()) {
    reactor->Finish(ToGrpcStatus(slot.status()));
    return reactor;
  }
  doctor_->Run(absl::FromChrono(context->deadline()),
               [this, reactor, response, slot = *std::move(slot)](v1::RunDoctorResponse result) {
                 *response = std::move(result);
                 response->set_board_name(info_.board_name);
                 convert::MakeStringsValidUtf8(*response);  // checks quote the modem's text
                 reactor->Finish(grpc::Status::OK);
               });
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::Recover(grpc::CallbackServerContext* context,
                                                const v1::RecoverRequest* request,
                                                v1::RecoverResponse* response) {
  const Caller caller = authorizer_->Identify(*context);
  const std::string who = caller.identity.empty() ? caller.peer : caller.identity;
  return Mutating(context, "Recover", *request, [this, request, response, who](Finisher finish) {
    if (recovery_ == nullptr) {
      finish(
          grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this agent has no recovery ladder"));
      return;
    }
    if (request->step() == v1::RECOVERY_STEP_UNSPECIFIED ||
        !v1::RecoveryStep_IsValid(request->step())) {
      finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "step must be REDIAL, PDP_RESET, RADIO_RESET, MODEM_REBOOT, "
                          "USB_RESET or POWER_CYCLE"));
      return;
    }
    recovery_->RunStep(request->step(), who,
                       [this, response, finish](absl::StatusOr<v1::RecoveryAction> action) {
                         if (action.ok()) {
                           *response->mutable_action() = *action;
                           response->set_board_name(info_.board_name);
                         }
                         finish(ToGrpcStatus(action.status()));
                       });
  });
}

grpc::ServerUnaryReactor* AgentService::GetUsage(grpc::CallbackServerContext* context,
                                                 const v1::GetUsageRequest* /*request*/,
                                                 v1::GetUsageResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!Allowed(context, reactor, Role::kViewer, "GetUsage")) return reactor;
  if (usage_ == nullptr) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this agent counts no data usage"));
    return reactor;
  }
  for (v1::SimUsage& account : usage_->Accounts()) *response->add_accounts() = std::move(account);
  response->set_board_name(info_.board_name);
  *response->mutable_at() = ToProtoTime(clock_.Now());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::OverrideDataCap(grpc::CallbackServerContext* context,
                                                        const v1::OverrideDataCapRequest* request,
                                                        v1::OverrideDataCapResponse* response) {
  const Caller caller = authorizer_->Identify(*context);
  const std::string who = caller.identity.empty() ? caller.peer : caller.identity;
  return Mutating(
      context, "OverrideDataCap", *request, [this, request, response, who](Finisher finish) {
        if (usage_ == nullptr) {
          finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                              "this agent counts no data usage"));
          return;
        }
        if (absl::StripAsciiWhitespace(request->reason()).empty()) {
          finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "a reason is required: the audit log keeps it"));
          return;
        }
        usage_->OverrideCap(request->iccid(), who, request->reason(),
                            [this, response, finish](absl::StatusOr<v1::SimUsage> usage) {
                              if (usage.ok()) {
                                *response->mutable_usage() = *usage;
                                response->set_board_name(info_.board_name);
                              }
                              finish(ToGrpcStatus(usage.status()));
                            });
      });
}

grpc::ServerUnaryReactor* AgentService::RunAtCommand(grpc::CallbackServerContext* context,
                                                     const v1::RunAtCommandRequest* request,
                                                     v1::RunAtCommandResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const Caller caller = authorizer_->Identify(*context);
  // Every call goes to the audit log, refused ones too, with the reply's first line.
  auto finish = [this, reactor, caller, what = request->ShortDebugString()](
                    const grpc::Status& result, const std::string& reply) {
    audit_->Record(
        caller, "RunAtCommand", what, result, [reactor, result] { reactor->Finish(result); },
        reply);
  };
  if (grpc::Status allowed = authorizer_->Check(caller, Role::kViewer, "RunAtCommand");
      !allowed.ok()) {
    finish(allowed, "");
    return reactor;
  }
  if (at_ == nullptr) {
    finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "this agent runs no AT commands for callers"),
           "");
    return reactor;
  }
  absl::StatusOr<modem::CommandLine> line = modem::ParseCommandLine(request->command());
  if (!line.ok()) {
    finish(ToGrpcStatus(line.status()), "");
    return reactor;
  }
  if (absl::Status allowed = at_policy_->Check(caller.role, *line); !allowed.ok()) {
    finish(ToGrpcStatus(allowed), "");
    return reactor;
  }
  std::optional<absl::Duration> timeout;
  if (request->has_timeout()) {
    timeout = FromProtoDuration(request->timeout());
    if (*timeout <= absl::ZeroDuration() || *timeout > modem::kMaxOperatorCommandTime) {
      finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("timeout ", base::DurationText(*timeout), " is outside (0, ",
                                       base::DurationText(modem::kMaxOperatorCommandTime), "]")),
             "");
      return reactor;
    }
  }
  absl::StatusOr<CallLimits::Slot> slot = limits_->UseModem(caller, "RunAtCommand");
  if (!slot.ok()) {
    finish(ToGrpcStatus(slot.status()), "");
    return reactor;
  }
  // Fail closed, as every call that can change the board: it runs once audited.
  audit_->Begin(
      caller, "RunAtCommand", request->ShortDebugString(),
      [this, response, finish, caller, line = *std::move(line), timeout,
       slot = *std::move(slot)](absl::Status written) {
        if (!written.ok()) return finish(ToGrpcStatus(written), "");
        at_->Run(line, timeout, CallerName(caller),
                 [this, response, finish, slot](absl::StatusOr<v1::RunAtCommandResponse> reply) {
                   if (!reply.ok()) return finish(ToGrpcStatus(reply.status()), "");
                   const std::string first =
                       reply->lines().empty() ? reply->final_result() : reply->lines(0);
                   *response = *std::move(reply);
                   response->set_board_name(info_.board_name);
                   finish(grpc::Status::OK, first);
                 });
      });
  return reactor;
}

}  // namespace cellfleet::agent
