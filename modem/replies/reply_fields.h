// Field access for AT information responses such as `+CSQ: 11,99`.
//
// Every parser goes through ReplyFields so that quoting, blanks, the "-" marker for
// "invalid under current condition" and error messages behave the same everywhere.
#ifndef CELLFLEET_MODEM_REPLIES_REPLY_FIELDS_H_
#define CELLFLEET_MODEM_REPLIES_REPLY_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cellfleet::modem {

class ReplyFields {
 public:
  // Splits `line` after `prefix` (e.g. "+CSQ:"; matched case-insensitively, blanks
  // after it skipped) at commas outside double quotes. Fails when the prefix is absent.
  static absl::StatusOr<ReplyFields> Parse(absl::string_view line, absl::string_view prefix);
  // Splits a bare comma list (no prefix).
  static ReplyFields FromValues(absl::string_view line, absl::string_view what);

  size_t size() const { return fields_.size(); }
  bool IsAbsent(size_t index) const;  // missing, empty, "-" or "\"-\""
  bool IsQuoted(size_t index) const;

  // Text of a field with quotes removed and blanks trimmed.
  absl::StatusOr<std::string> Text(size_t index, absl::string_view name) const;
  std::optional<std::string> OptionalText(size_t index) const;
  absl::StatusOr<int64_t> Int(size_t index, absl::string_view name) const;
  absl::StatusOr<std::optional<int64_t>> OptionalInt(size_t index, absl::string_view name) const;
  absl::StatusOr<uint64_t> Hex(size_t index, absl::string_view name) const;
  absl::StatusOr<std::optional<uint64_t>> OptionalHex(size_t index, absl::string_view name) const;

  // An INVALID_ARGUMENT error that quotes the whole reply.
  absl::Status Error(absl::string_view reason) const;

 private:
  struct Field {
    std::string text;
    bool quoted = false;
  };
  ReplyFields(std::string line, std::string what, std::vector<Field> fields)
      : line_(std::move(line)), what_(std::move(what)), fields_(std::move(fields)) {}
  absl::StatusOr<const Field*> Get(size_t index, absl::string_view name) const;

  std::string line_;
  std::string what_;
  std::vector<Field> fields_;
};

// Strictly parses a decimal integer (optional sign), with surrounding blanks.
std::optional<int64_t> ParseDecimal(absl::string_view text);
// Strictly parses hexadecimal digits (no 0x), up to 64 bits.
std::optional<uint64_t> ParseHexDigits(absl::string_view text);

}  // namespace cellfleet::modem

#endif  // CELLFLEET_MODEM_REPLIES_REPLY_FIELDS_H_
