#include "modem/replies/final_result.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "modem/replies/reply_fields.h"

namespace cellfleet::modem {
namespace {

struct CmeEntry {
  int code;
  absl::string_view text;
};

// From the EC25&EC21 AT Commands Manual V1.3 (via MuditaOS ErrorCode.hpp).
constexpr CmeEntry kCmeErrors[] = {
    {0, "phone failure"},
    {1, "no connection to phone"},
    {2, "phone-adaptor link reserved"},
    {3, "operation not allowed"},
    {4, "operation not supported"},
    {5, "PH-SIM PIN required"},
    {6, "PH-FSIM PIN required"},
    {7, "PH-FSIM PUK required"},
    {10, "SIM not inserted"},
    {11, "SIM PIN required"},
    {12, "SIM PUK required"},
    {13, "SIM failure"},
    {14, "SIM busy"},
    {15, "SIM wrong"},
    {16, "incorrect password"},
    {17, "SIM PIN2 required"},
    {18, "SIM PUK2 required"},
    {20, "memory full"},
    {21, "invalid index"},
    {22, "not found"},
    {23, "memory failure"},
    {24, "text string too long"},
    {25, "invalid characters in text string"},
    {26, "dial string too long"},
    {27, "invalid characters in dial string"},
    {30, "no network service"},
    {31, "network timeout"},
    {32, "network not allowed - emergency calls only"},
    {40, "network personalization PIN required"},
    {41, "network personalization PUK required"},
    {42, "network subset personalization PIN required"},
    {43, "network subset personalization PUK required"},
    {44, "service provider personalization PIN required"},
    {45, "service provider personalization PUK required"},
    {46, "corporate personalization PIN required"},
    {47, "corporate personalization PUK required"},
    {258, "phone busy"},
};

FinalResult ErrorWithPayload(FinalResultKind kind, absl::string_view payload,
                             absl::string_view line) {
  FinalResult result{kind, std::nullopt, "", std::string(line)};
  payload = absl::StripAsciiWhitespace(payload);
  if (std::optional<int64_t> code = ParseDecimal(payload)) {
    result.code = static_cast<int>(*code);
    if (kind == FinalResultKind::kCmeError)
      result.text = std::string(CmeErrorText(result.code.value()));
  } else {
    result.text = std::string(payload);
  }
  return result;
}

}  // namespace

std::optional<int> CmeCode(const FinalResult& result) {
  if (result.kind != FinalResultKind::kCmeError) return std::nullopt;
  if (result.code) return result.code;
  return CmeErrorCodeFromText(result.text);
}

absl::string_view CmeErrorText(int code) {
  for (const CmeEntry& entry : kCmeErrors) {
    if (entry.code == code) return entry.text;
  }
  return "";
}

std::optional<int> CmeErrorCodeFromText(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  for (const CmeEntry& entry : kCmeErrors) {
    if (absl::EqualsIgnoreCase(entry.text, text)) return entry.code;
  }
  return std::nullopt;
}

std::optional<FinalResult> ParseFinalResult(absl::string_view line) {
  absl::string_view t = absl::StripAsciiWhitespace(line);
  auto simple = [&](FinalResultKind kind) {
    return FinalResult{kind, std::nullopt, "", std::string(line)};
  };
  if (t == "OK") return simple(FinalResultKind::kOk);
  if (t == "ERROR") return simple(FinalResultKind::kError);
  if (t == "NO CARRIER") return simple(FinalResultKind::kNoCarrier);
  if (t == "BUSY") return simple(FinalResultKind::kBusy);
  if (t == "NO ANSWER") return simple(FinalResultKind::kNoAnswer);
  if (t == "NO DIALTONE" || t == "NO DIAL TONE") return simple(FinalResultKind::kNoDialtone);
  if (t == "COMMAND NOT SUPPORT") return simple(FinalResultKind::kCommandNotSupported);
  if (t == "CONNECT" || absl::StartsWith(t, "CONNECT ")) {
    FinalResult result = simple(FinalResultKind::kConnect);
    result.text = std::string(absl::StripAsciiWhitespace(t.substr(7)));
    return result;
  }
  if (absl::StartsWith(t, "+CME ERROR:")) {
    return ErrorWithPayload(FinalResultKind::kCmeError, t.substr(11), line);
  }
  if (absl::StartsWith(t, "+CMS ERROR:")) {
    return ErrorWithPayload(FinalResultKind::kCmsError, t.substr(11), line);
  }
  return std::nullopt;
}

absl::Status FinalResultStatus(const FinalResult& result, absl::string_view command,
                               absl::string_view port) {
  if (result.success()) return absl::OkStatus();
  std::string message = absl::StrCat(port, ": ", command, " failed: ", result.line);
  if (result.kind == FinalResultKind::kCmeError && !result.text.empty() &&
      !absl::StrContains(result.line, result.text)) {
    absl::StrAppend(&message, " (", result.text, ")");
  }
  switch (result.kind) {
    case FinalResultKind::kCommandNotSupported:
      return absl::UnimplementedError(message);
    case FinalResultKind::kCmeError: {
      std::optional<int> code = CmeCode(result);
      if (code == 4) return absl::UnimplementedError(message);
      if (code == 14 || code == 258) return absl::UnavailableError(message);
      return absl::FailedPreconditionError(message);
    }
    case FinalResultKind::kBusy:
      return absl::UnavailableError(message);
    case FinalResultKind::kNoCarrier:
    case FinalResultKind::kNoAnswer:
    case FinalResultKind::kNoDialtone:
      return absl::AbortedError(message);
    default:
      return absl::FailedPreconditionError(message);
  }
}

}  // namespace cellfleet::modem
