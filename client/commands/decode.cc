// `cellfleet decode`: modem output on stdin, one JSON object per recognised reply, with
// the same fields as `status -o json` where the status has the reply.
#include <istream>
#include <ostream>

#include "CLI/CLI.hpp"
#include "client/commands/command.h"
#include "client/reply_decoder.h"

namespace cellfleet::client {
namespace {

class DecodeCommand : public Command {
 public:
  CLI::App* Register(CLI::App& root) override {
    return root.add_subcommand("decode",
                               "Explain raw modem replies pasted on stdin, as JSON lines");
  }

  int Run(CommandEnv& env) override {
    constexpr size_t kMaxInput = 4 << 20;  // a paste, not a capture file
    std::string input;
    char buffer[8192];
    while (env.in.read(buffer, sizeof(buffer)) || env.in.gcount() > 0) {
      input.append(buffer, static_cast<size_t>(env.in.gcount()));
      if (input.size() > kMaxInput) {
        env.err << "cellfleet decode: input larger than 4 MiB; decode a smaller excerpt\n";
        return kExitUsage;
      }
    }
    DecodeResult result = DecodeModemOutput(input);
    for (const nlohmann::json& reply : result.replies) env.out << reply.dump() << "\n";
    for (const std::string& problem : result.problems)
      env.err << "cellfleet decode: " << problem << "\n";
    if (result.replies.empty()) {
      env.err << "cellfleet decode: no modem reply recognised in the input (paste lines such as "
                 "'+QENG: \"servingcell\",...' or '+CSQ: 14,99')\n";
      return kExitUsage;
    }
    return result.parse_errors == 0 ? kExitOk : kExitFailed;
  }
};

}  // namespace

std::unique_ptr<Command> MakeDecodeCommand() { return std::make_unique<DecodeCommand>(); }

}  // namespace cellfleet::client
