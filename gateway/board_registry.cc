#include "gateway/board_registry.h"

#include "absl/strings/str_cat.h"
#include "gateway/attachment.h"
#include "spdlog/spdlog.h"

namespace cellfleet::gateway {

Attachment* BoardRegistry::Attach(const std::string& name, Attachment* attachment) {
  absl::MutexLock lock(&mu_);
  Attachment*& slot = boards_[name];
  Attachment* replaced = slot;
  slot = attachment;
  return replaced;
}

void BoardRegistry::Detach(const std::string& name, Attachment* attachment) {
  absl::MutexLock lock(&mu_);
  auto it = boards_.find(name);
  if (it != boards_.end() && it->second == attachment) boards_.erase(it);
}

absl::Status BoardRegistry::Offer(const std::string& board,
                                  std::shared_ptr<RelayEnd> operator_end) {
  absl::MutexLock lock(&mu_);
  auto it = boards_.find(board);
  if (it == boards_.end()) {
    return absl::NotFoundError(
        absl::StrCat("board \"", board, "\" is not attached to this gateway"));
  }
  std::set<const RelayEnd*>& open = sessions_[board];
  if (static_cast<int>(open.size()) >= limits_.sessions_per_board) {
    return absl::ResourceExhaustedError(absl::StrCat("board \"", board, "\" has ", open.size(),
                                                     " sessions, the most the gateway relays"));
  }
  const uint64_t session = next_session_++;
  v1::GatewayToBoard offer;
  offer.mutable_session()->set_session(session);
  if (!it->second->Send(std::move(offer))) {
    return absl::UnavailableError(absl::StrCat("board \"", board, "\" is detaching"));
  }
  open.insert(operator_end.get());
  pending_[session] = Pending{board, std::move(operator_end), clock_.Now()};
  return absl::OkStatus();
}

absl::Status BoardRegistry::Answer(const std::string& board, uint64_t session,
                                   RelayEnd* board_end) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(session);
  if (it == pending_.end() || it->second.board != board) {
    return absl::NotFoundError(
        absl::StrCat("no session ", session, " waits for board \"", board, "\""));
  }
  std::shared_ptr<RelayEnd> operator_end = std::move(it->second.operator_end);
  pending_.erase(it);
  if (!Splice::Join(operator_end.get(), board_end)) {
    return absl::CancelledError("the operator's connection ended before the board answered");
  }
  return absl::OkStatus();
}

void BoardRegistry::Refused(const std::string& board, uint64_t session, const std::string& reason) {
  std::shared_ptr<RelayEnd> operator_end;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(session);
    if (it == pending_.end() || it->second.board != board) return;
    operator_end = it->second.operator_end;
    pending_.erase(it);
  }
  operator_end->FinishUnspliced(grpc::Status(
      grpc::StatusCode::UNAVAILABLE, absl::StrCat("board \"", board, "\" refused: ", reason)));
}

void BoardRegistry::OperatorEnded(const std::string& board, const RelayEnd* operator_end) {
  std::shared_ptr<RelayEnd> last;  // released after the lock
  absl::MutexLock lock(&mu_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->second.operator_end.get() != operator_end) continue;
    last = std::move(it->second.operator_end);
    pending_.erase(it);
    break;
  }
  auto open = sessions_.find(board);
  if (open == sessions_.end()) return;
  open->second.erase(operator_end);
  if (open->second.empty()) sessions_.erase(open);
}

int BoardRegistry::ExpireOffers() {
  std::vector<std::pair<std::string, std::shared_ptr<RelayEnd>>> expired;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (now - it->second.offered < limits_.session_open_timeout) {
        ++it;
        continue;
      }
      expired.emplace_back(it->second.board, std::move(it->second.operator_end));
      it = pending_.erase(it);
    }
  }
  for (const auto& [board, end] : expired) {
    spdlog::warn("board \"{}\" did not open an offered session within {}", board,
                 absl::FormatDuration(limits_.session_open_timeout));
    end->FinishUnspliced(
        grpc::Status(grpc::StatusCode::UNAVAILABLE,
                     absl::StrCat("board \"", board, "\" did not answer within ",
                                  absl::FormatDuration(limits_.session_open_timeout))));
  }
  return static_cast<int>(expired.size());
}

std::vector<v1::AttachedBoard> BoardRegistry::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::AttachedBoard> boards;
  for (const auto& [name, attachment] : boards_) boards.push_back(attachment->Describe());
  return boards;
}

}  // namespace cellfleet::gateway
