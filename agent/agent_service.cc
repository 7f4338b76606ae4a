#include "agent/agent_service.h"

#include "agent/convert.h"
#include "agent/update_filter.h"
#include "agent/watch_reactor.h"
#include "google/protobuf/util/time_util.h"

namespace cellfleet::agent {
namespace {

grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context, const char* what) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                               std::string(what) + " is not implemented by this agent yet"));
  return reactor;
}

// A stream that ends at once with `status` (bad request, shutting down).
class FailedWatch : public grpc::ServerWriteReactor<v1::StatusUpdate> {
 public:
  explicit FailedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* AgentService::GetStatus(grpc::CallbackServerContext* context,
                                                  const v1::GetStatusRequest* /*request*/,
                                                  v1::GetStatusResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
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
    grpc::CallbackServerContext* /*context*/, const v1::WatchStatusRequest* request) {
  absl::StatusOr<UpdateFilter> filter = UpdateFilter::Create(*request, info_.min_sample_interval);
  if (!filter.ok()) return new FailedWatch(ToGrpcStatus(filter.status()));
  return new WatchReactor(hub_, std::move(*filter));
}

grpc::ServerUnaryReactor* AgentService::GetHistory(grpc::CallbackServerContext* context,
                                                   const v1::GetHistoryRequest* request,
                                                   v1::GetHistoryResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (history_ == nullptr) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "this agent keeps no history"));
    return reactor;
  }
  if (request->has_start_time() && request->has_end_time() &&
      google::protobuf::util::TimeUtil::TimestampToNanoseconds(request->end_time()) <
          google::protobuf::util::TimeUtil::TimestampToNanoseconds(request->start_time())) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "end_time is before start_time"));
    return reactor;
  }
  *response = history_->Query(*request);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}
grpc::ServerUnaryReactor* AgentService::Dial(grpc::CallbackServerContext* context,
                                             const v1::DialRequest*, v1::DialResponse*) {
  return Unimplemented(context, "Dial");
}
grpc::ServerUnaryReactor* AgentService::HangUp(grpc::CallbackServerContext* context,
                                               const v1::HangUpRequest*, v1::HangUpResponse*) {
  return Unimplemented(context, "HangUp");
}
grpc::ServerUnaryReactor* AgentService::GetConfig(grpc::CallbackServerContext* context,
                                                  const v1::GetConfigRequest*,
                                                  v1::GetConfigResponse*) {
  return Unimplemented(context, "GetConfig");
}
grpc::ServerUnaryReactor* AgentService::ApplyConfig(grpc::CallbackServerContext* context,
                                                    const v1::ApplyConfigRequest*,
                                                    v1::ApplyConfigResponse*) {
  return Unimplemented(context, "ApplyConfig");
}
grpc::ServerUnaryReactor* AgentService::ConfirmConfig(grpc::CallbackServerContext* context,
                                                      const v1::ConfirmConfigRequest*,
                                                      v1::ConfirmConfigResponse*) {
  return Unimplemented(context, "ConfirmConfig");
}
grpc::ServerUnaryReactor* AgentService::Diagnose(grpc::CallbackServerContext* context,
                                                 const v1::DiagnoseRequest*,
                                                 v1::DiagnoseResponse*) {
  return Unimplemented(context, "Diagnose");
}

}  // namespace cellfleet::agent
