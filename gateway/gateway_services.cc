#include "gateway/gateway_services.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gateway/attachment.h"
#include "proto/grpc_status.h"
#include "proto/peer_identity.h"
#include "relay/relay_names.h"
#include "spdlog/spdlog.h"

namespace cellfleet::gateway {
namespace {

// A bidi call refused before it began: finished at once, gone when gRPC is done.
template <typename Request, typename Response>
class Refusal final : public grpc::ServerBidiReactor<Request, Response> {
 public:
  explicit Refusal(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

std::string Metadata(const grpc::CallbackServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

grpc::ServerBidiReactor<v1::BoardToGateway, v1::GatewayToBoard>* BoardService::Attach(
    grpc::CallbackServerContext* context) {
  const std::optional<std::string> name = PeerCommonName(*context);
  if (!name || name->empty()) {
    return new Refusal<v1::BoardToGateway, v1::GatewayToBoard>(grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED, "a board attaches with its certificate (CN: its name)"));
  }
  auto* attachment = new Attachment(registry_, *name, context->peer(), clock_.Now());
  spdlog::info("board \"{}\" attached from {}", *name, context->peer());
  if (Attachment* replaced = registry_->Attach(*name, attachment)) {
    replaced->Replace(context->peer());
  }
  return attachment;
}

grpc::ServerBidiReactor<v1::RelayBytes, v1::RelayBytes>* BoardService::Relay(
    grpc::CallbackServerContext* context) {
  const std::optional<std::string> name = PeerCommonName(*context);
  uint64_t session = 0;
  if (!name || name->empty() ||
      !absl::SimpleAtoi(Metadata(*context, relay::kSessionMetadata), &session)) {
    return new Refusal<v1::RelayBytes, v1::RelayBytes>(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                     "a relay needs the board's certificate and its session"));
  }
  std::shared_ptr<RelayEnd> end = RelayEnd::Make(nullptr);
  if (absl::Status joined = registry_->Answer(*name, session, end.get()); !joined.ok()) {
    end->FinishUnspliced(ToGrpcStatus(joined));
  }
  return end.get();
}

grpc::Status OperatorService::Admit(const grpc::CallbackServerContext& context) const {
  const std::optional<std::string> name = PeerCommonName(context);
  if (!name) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "the gateway admits operators by their client certificate");
  }
  if (!operators_.empty() && operators_.count(*name) == 0) {
    return grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrCat("the certificate \"", *name, "\" is not among the gateway's operators:"));
  }
  return grpc::Status::OK;
}

grpc::ServerBidiReactor<v1::RelayBytes, v1::RelayBytes>* OperatorService::Connect(
    grpc::CallbackServerContext* context) {
  if (grpc::Status admitted = Admit(*context); !admitted.ok()) {
    spdlog::warn("refused a connection from {}: {}", context->peer(), admitted.error_message());
    return new Refusal<v1::RelayBytes, v1::RelayBytes>(admitted);
  }
  const std::string board = Metadata(*context, relay::kBoardMetadata);
  if (board.empty()) {
    return new Refusal<v1::RelayBytes, v1::RelayBytes>(grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("name the board in the \"", relay::kBoardMetadata, "\" metadata")));
  }
  BoardRegistry* registry = registry_;
  std::shared_ptr<RelayEnd> end = RelayEnd::Make(
      context, [registry, board](const RelayEnd* done) { registry->OperatorEnded(board, done); });
  if (absl::Status offered = registry_->Offer(board, end); !offered.ok()) {
    end->FinishUnspliced(ToGrpcStatus(offered));
  }
  return end.get();
}

grpc::ServerUnaryReactor* OperatorService::ListAttached(grpc::CallbackServerContext* context,
                                                        const v1::ListAttachedRequest*,
                                                        v1::ListAttachedResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status admitted = Admit(*context);
  if (admitted.ok()) {
    for (v1::AttachedBoard& board : registry_->List()) *response->add_boards() = std::move(board);
  }
  reactor->Finish(admitted);
  return reactor;
}

}  // namespace cellfleet::gateway
