// The one per-board result renderer: every command prints its boards through it, so
// the same outcome has the same words and fields everywhere.
//   table: BOARD and the command's columns, each as wide as its data, the last (free
//          text: notes and errors) cut to the terminal's width;
//   json:  one object per row: {"board", "address", "ok", ...the command's fields}, or
//          {"board", "address", "ok": false, "error": {"code", "message"}};
//   csv:   the table's header and rows, RFC 4180.
// Finish() ends every fan-out with one summary line on stderr: answered, failed, by reason.
#ifndef CELLFLEET_CLIENT_REPORT_H_
#define CELLFLEET_CLIENT_REPORT_H_

#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/table.h"
#include "fleet/board.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "nlohmann/json.hpp"

namespace cellfleet::client {

enum class OutputFormat { kTable, kJson, kCsv };

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& text);

// A proto message as JSON (field names as in the .proto, enums by name).
nlohmann::json ProtoToJson(const google::protobuf::Message& message);

// {"code": "UNAVAILABLE", "message": "..."}
nlohmann::json ErrorToJson(const grpc::Status& status);

// The name a board is shown by: the inventory's, else the one its agent reports, else
// its address.
std::string DisplayName(const fleet::Board& board, const std::string& reported_name = "");

class BoardReport {
 public:
  // `columns` follow BOARD; the last one is the free-text column. `width`: the
  // terminal's (0 when output is not a terminal: nothing is cut).
  BoardReport(OutputFormat format, Row columns, std::ostream& out, size_t width = 0);

  // A row of a board that answered: a cell per column (table, CSV) and the JSON fields
  // (one JSON line per row). A board may have several rows (history's entries).
  void AddRow(const fleet::Board& board, Row cells, nlohmann::json fields,
              const std::string& reported_name = "");
  // A continuation row of the board before (older config versions, one check of
  // many): table and CSV only; its JSON is in the row before.
  void AddDetailRow(Row cells);
  // A board that answered with nothing to show (history with no entries).
  void AddAnswered(const fleet::Board& board);
  // A board whose call failed: the same words, fields and reason in every command.
  void AddFailure(const fleet::Board& board, const grpc::Status& status);

  // Prints the table or CSV, then the summary line on `err`. Returns the failures.
  int Finish(std::ostream& err);

  int failures() const { return failures_; }

 private:
  const OutputFormat format_;
  const Row columns_;
  std::ostream& out_;
  const size_t width_;
  std::vector<Row> rows_;
  std::set<std::string> answered_;  // by address
  int failures_ = 0;
  std::map<grpc::StatusCode, int> failures_by_code_;
};

}  // namespace cellfleet::client

#endif  // CELLFLEET_CLIENT_REPORT_H_
