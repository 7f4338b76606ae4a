#include "modem/replies/reply_fields.h"

#include <cctype>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cellfleet::modem {
namespace {

absl::string_view Trim(absl::string_view s) { return absl::StripAsciiWhitespace(s); }

}  // namespace

std::optional<int64_t> ParseDecimal(absl::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 20) return std::nullopt;
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseHexDigits(absl::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    int digit = std::isdigit(static_cast<unsigned char>(c))
                    ? c - '0'
                    : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

absl::StatusOr<ReplyFields> ReplyFields::Parse(absl::string_view line, absl::string_view prefix) {
  absl::string_view trimmed = Trim(line);
  if (!absl::StartsWithIgnoreCase(trimmed, prefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a ", prefix, " reply, got \"", line, "\""));
  }
  ReplyFields parsed = FromValues(trimmed.substr(prefix.size()), prefix);
  parsed.line_ = std::string(line);
  return parsed;
}

ReplyFields ReplyFields::FromValues(absl::string_view values, absl::string_view what) {
  std::vector<Field> fields;
  Field current;
  bool in_quotes = false;
  bool any = false;
  for (char c : values) {
    any = true;
    if (c == '"') {
      in_quotes = !in_quotes;
      current.quoted = true;
    } else if (c == ',' && !in_quotes) {
      current.text = std::string(Trim(current.text));
      fields.push_back(std::move(current));
      current = Field{};
    } else {
      current.text.push_back(c);
    }
  }
  if (any) {
    current.text = in_quotes ? current.text : std::string(Trim(current.text));
    fields.push_back(std::move(current));
  }
  // A lone empty field means "no values at all" (e.g. "+CSQ:").
  if (fields.size() == 1 && fields[0].text.empty() && !fields[0].quoted) fields.clear();
  return ReplyFields(std::string(values), std::string(what), std::move(fields));
}

bool ReplyFields::IsAbsent(size_t index) const {
  if (index >= fields_.size()) return true;
  const std::string& t = fields_[index].text;
  return t.empty() || t == "-";
}

bool ReplyFields::IsQuoted(size_t index) const {
  return index < fields_.size() && fields_[index].quoted;
}

absl::Status ReplyFields::Error(absl::string_view reason) const {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed ", what_, " reply: ", reason, " in \"", line_, "\""));
}

absl::StatusOr<const ReplyFields::Field*> ReplyFields::Get(size_t index,
                                                           absl::string_view name) const {
  if (index >= fields_.size()) {
    return Error(absl::StrCat("missing field ", index + 1, " (", name, ")"));
  }
  return &fields_[index];
}

absl::StatusOr<std::string> ReplyFields::Text(size_t index, absl::string_view name) const {
  auto field = Get(index, name);
  if (!field.ok()) return field.status();
  return (*field)->text;
}

std::optional<std::string> ReplyFields::OptionalText(size_t index) const {
  if (IsAbsent(index)) return std::nullopt;
  return fields_[index].text;
}

absl::StatusOr<int64_t> ReplyFields::Int(size_t index, absl::string_view name) const {
  auto field = Get(index, name);
  if (!field.ok()) return field.status();
  std::optional<int64_t> value = ParseDecimal((*field)->text);
  if (!value) {
    return Error(absl::StrCat("field ", index + 1, " (", name, ") \"", (*field)->text,
                              "\" is not a number"));
  }
  return *value;
}

absl::StatusOr<std::optional<int64_t>> ReplyFields::OptionalInt(size_t index,
                                                                absl::string_view name) const {
  if (IsAbsent(index)) return std::optional<int64_t>();
  auto value = Int(index, name);
  if (!value.ok()) return value.status();
  return std::optional<int64_t>(*value);
}

absl::StatusOr<uint64_t> ReplyFields::Hex(size_t index, absl::string_view name) const {
  auto field = Get(index, name);
  if (!field.ok()) return field.status();
  std::optional<uint64_t> value = ParseHexDigits((*field)->text);
  if (!value) {
    return Error(absl::StrCat("field ", index + 1, " (", name, ") \"", (*field)->text,
                              "\" is not hexadecimal"));
  }
  return *value;
}

absl::StatusOr<std::optional<uint64_t>> ReplyFields::OptionalHex(size_t index,
                                                                 absl::string_view name) const {
  if (IsAbsent(index)) return std::optional<uint64_t>();
  auto value = Hex(index, name);
  if (!value.ok()) return value.status();
  return std::optional<uint64_t>(*value);
}

}  // namespace cellfleet::modem
