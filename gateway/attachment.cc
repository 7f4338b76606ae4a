#include "gateway/attachment.h"

#include "absl/strings/str_cat.h"
#include "gateway/board_registry.h"
#include "spdlog/spdlog.h"

namespace cellfleet::gateway {

Attachment::Attachment(BoardRegistry* registry, std::string name, std::string peer,
                       absl::Time since)
    : registry_(registry), name_(std::move(name)), peer_(std::move(peer)), since_(since) {
  StartSendInitialMetadata();  // the board learns at once that it is attached
  StartRead(&in_);
}

bool Attachment::Send(v1::GatewayToBoard message) {
  absl::MutexLock lock(&mu_);
  if (finished_) return false;
  outbox_.push_back(std::move(message));
  if (outbox_.size() == 1) StartWrite(&outbox_.front());
  return true;
}

void Attachment::Replace(const std::string& by_peer) {
  spdlog::warn("board \"{}\": a new attachment from {} replaces the one from {}", name_, by_peer,
               peer_);
  FinishOnce(
      grpc::Status(grpc::StatusCode::ABORTED,
                   absl::StrCat("replaced by a new attachment of \"", name_, "\" from ", by_peer)));
}

v1::AttachedBoard Attachment::Describe() const {
  v1::AttachedBoard board;
  board.set_name(name_);
  board.set_peer(peer_);
  board.set_attached_unix_seconds(absl::ToUnixSeconds(since_));
  absl::MutexLock lock(&mu_);
  board.set_agent_version(agent_version_);
  return board;
}

void Attachment::OnReadDone(bool ok) {
  if (!ok) {  // the board closed its side, or its connection went
    FinishOnce(grpc::Status::OK);
    return;
  }
  switch (in_.kind_case()) {
    case v1::BoardToGateway::kHello: {
      absl::MutexLock lock(&mu_);
      agent_version_ = in_.hello().agent_version();
      break;
    }
    case v1::BoardToGateway::kPing: {
      v1::GatewayToBoard pong;
      pong.mutable_pong()->set_sequence(in_.ping().sequence());
      Send(std::move(pong));
      break;
    }
    case v1::BoardToGateway::kRefused:
      registry_->Refused(name_, in_.refused().session(), in_.refused().reason());
      break;
    case v1::BoardToGateway::KIND_NOT_SET:
      break;  // a newer board's message this gateway does not know
  }
  StartRead(&in_);
}

void Attachment::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  if (!outbox_.empty()) outbox_.pop_front();
  if (!ok || finished_) return;
  if (!outbox_.empty()) StartWrite(&outbox_.front());
}

void Attachment::FinishOnce(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  finished_ = true;
  Finish(status);
}

void Attachment::OnDone() {
  registry_->Detach(name_, this);
  spdlog::info("board \"{}\" detached ({})", name_, peer_);
  delete this;
}

}  // namespace cellfleet::gateway
