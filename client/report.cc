#include "client/report.h"

#include <ostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "fleet/error_text.h"
#include "google/protobuf/util/json_util.h"

namespace cellfleet::client {
namespace {

// The word in the first column of a failed board's row.
bool Unreachable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

std::string FailureWord(grpc::StatusCode code) {
  return Unreachable(code) ? "UNREACHABLE" : "FAILED";
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "csv") return OutputFormat::kCsv;
  return absl::InvalidArgumentError(
      absl::StrCat("--output must be table, json or csv, not \"", text, "\""));
}

nlohmann::json ProtoToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) {
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

nlohmann::json ErrorToJson(const grpc::Status& status) {
  return {{"code", fleet::CodeName(status.error_code())}, {"message", status.error_message()}};
}

std::string DisplayName(const fleet::Board& board, const std::string& reported_name) {
  if (board.name != board.address || reported_name.empty()) return board.name;
  return reported_name;
}

BoardReport::BoardReport(OutputFormat format, Row columns, std::ostream& out, size_t width)
    : format_(format), columns_(std::move(columns)), out_(out), width_(width) {}

void BoardReport::AddRow(const fleet::Board& board, Row cells, nlohmann::json fields,
                         const std::string& reported_name) {
  answered_.insert(board.address);
  const std::string name = DisplayName(board, reported_name);
  if (format_ == OutputFormat::kJson) {
    nlohmann::json line = {{"board", name}, {"address", board.address}, {"ok", true}};
    if (fields.is_object()) line.update(fields);
    out_ << line.dump() << "\n";
    return;
  }
  cells.insert(cells.begin(), name);
  rows_.push_back(std::move(cells));
}

void BoardReport::AddDetailRow(Row cells) {
  if (format_ == OutputFormat::kJson) return;
  cells.insert(cells.begin(), "");
  rows_.push_back(std::move(cells));
}

void BoardReport::AddAnswered(const fleet::Board& board) { answered_.insert(board.address); }

void BoardReport::AddFailure(const fleet::Board& board, const grpc::Status& status) {
  ++failures_;
  ++failures_by_code_[status.error_code()];
  if (format_ == OutputFormat::kJson) {
    out_ << nlohmann::json{{"board", board.name},
                           {"address", board.address},
                           {"ok", false},
                           {"error", ErrorToJson(status)}}
                .dump()
         << "\n";
    return;
  }
  Row row = {board.name, FailureWord(status.error_code())};
  while (row.size() < columns_.size()) row.push_back("-");
  row.push_back(fleet::ErrorText(status));
  rows_.push_back(std::move(row));
}

int BoardReport::Finish(std::ostream& err) {
  Row header = columns_;
  header.insert(header.begin(), "BOARD");
  if (format_ == OutputFormat::kTable) out_ << RenderTable(header, rows_, width_);
  if (format_ == OutputFormat::kCsv) out_ << RenderCsv(header, rows_);
  out_.flush();
  // One line: how many answered, then the others by reason: unreachable boards "did
  // not answer"; the rest answered with an error.
  const size_t boards = answered_.size() + static_cast<size_t>(failures_);
  std::string summary = absl::StrCat(answered_.size(), " of ", boards, " boards answered");
  int unreachable = 0;
  std::vector<std::string> unreachable_codes, failed_codes;
  for (const auto& [code, count] : failures_by_code_) {
    if (Unreachable(code)) unreachable += count;
    (Unreachable(code) ? unreachable_codes : failed_codes)
        .push_back(absl::StrCat(fleet::CodeName(code), " ", count));
  }
  if (unreachable > 0) {
    absl::StrAppend(&summary, "; ", unreachable, " of ", boards, " boards did not answer (",
                    absl::StrJoin(unreachable_codes, ", "), ")");
  }
  if (failures_ > unreachable) {
    absl::StrAppend(&summary, "; ", failures_ - unreachable, " answered with an error (",
                    absl::StrJoin(failed_codes, ", "), ")");
  }
  err << summary << "\n";
  return failures_;
}

}  // namespace cellfleet::client
