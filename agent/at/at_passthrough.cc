#include "agent/at/at_passthrough.h"

#include "absl/strings/str_cat.h"
#include "base/duration_text.h"
#include "convert/reply_to_status.h"
#include "convert/valid_utf8.h"
#include "modem/operator_command.h"
#include "proto/time_convert.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

v1::RunAtCommandResponse ToResponse(const modem::CommandLine& line,
                                    const modem::AtResponse& reply) {
  v1::RunAtCommandResponse out;
  out.set_command(line.text);
  out.set_final_result(reply.final.line);
  out.set_ok(reply.final.kind == modem::FinalResultKind::kOk);
  for (const std::string& raw : reply.lines) {
    size_t escaped = 0;
    out.add_lines(modem::EscapeNonText(raw, &escaped));
    if (escaped > 0) out.set_binary(true);
  }
  v1::ModemStatus decoded;
  if (!out.binary() && out.ok() && convert::DecodeReply(line, reply.lines, decoded)) {
    *out.mutable_decoded() = std::move(decoded);
  }
  *out.mutable_elapsed() = ToProtoDuration(reply.elapsed);
  convert::MakeStringsValidUtf8(out);  // the final result line is the modem's, as it came
  return out;
}

}  // namespace

void AtPassthrough::Run(modem::CommandLine line, std::optional<absl::Duration> timeout,
                        const std::string& requested_by, Done done) {
  if (!line.takes_modem_away()) {
    Send(std::move(line), timeout, false, std::move(done));
    return;
  }
  const absl::Time hold_until = clock_.Now() + kOutageHold;
  poller_->ExpectOutage(absl::StrCat(requested_by, " ran ", line.text), hold_until);
  spdlog::warn("{} runs {}, which takes the modem away: link down, redials held for {}",
               requested_by, line.text, base::DurationText(kOutageHold));
  if (link_ == nullptr) {
    Send(std::move(line), timeout, true, std::move(done));
    return;
  }
  link_->PrepareForModemOutage(
      hold_until, [this, line = std::move(line), timeout, done = std::move(done)]() mutable {
        Send(std::move(line), timeout, true, std::move(done));
      });
}

void AtPassthrough::Send(modem::CommandLine line, std::optional<absl::Duration> timeout,
                         bool going_away, Done done) {
  modem::AtCommand command = modem::OperatorCommand(line, timeout);
  poller_->Submit(
      std::move(command), [this, line = std::move(line), going_away,
                           done = std::move(done)](absl::StatusOr<modem::AtResponse> reply) {
        if (going_away && !(reply.ok() && reply->final.kind == modem::FinalResultKind::kOk)) {
          poller_->ExpectOutage("", absl::InfinitePast());  // refused: the modem stays
        }
        if (!reply.ok()) {
          done(reply.status());
          return;
        }
        v1::RunAtCommandResponse response = ToResponse(line, *reply);
        response.set_modem_going_away(going_away && response.ok());
        done(std::move(response));
      });
}

}  // namespace cellfleet::agent
