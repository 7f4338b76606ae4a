#include "agent/config/config_manager.h"

#include <sys/stat.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "agent/config/unified_diff.h"
#include "base/duration_text.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "modem/log_format.h"
#include "modem/ppp/ppp_files.h"
#include "proto/time_convert.h"
#include "spdlog/spdlog.h"

namespace cellfleet::agent {
namespace {

using google::protobuf::util::FieldMaskUtil;

// The rendered pppd/chat files of a config with its secret masked, named for the diff.
std::vector<v1::RenderedFile> RenderMasked(const LinkConfig& link,
                                           const modem::ppp::PppFilePaths& paths) {
  LinkConfig masked = link;
  if (!masked.settings.password.empty()) masked.settings.password = kMaskedSecret;
  absl::StatusOr<modem::ppp::PppFiles> files = modem::ppp::RenderPppFiles(masked.settings, paths);
  std::vector<v1::RenderedFile> out;
  if (!files.ok()) return out;  // both sides were validated; cannot happen
  for (const auto& [path, content] :
       {std::pair<const std::string&, const std::string&>{paths.options, files->options},
        {paths.connect, files->connect},
        {paths.disconnect, files->disconnect},
        {paths.secrets, files->secrets}}) {
    v1::RenderedFile file;
    file.set_path(path);
    file.set_content(content);
    out.push_back(std::move(file));
  }
  return out;
}

// An apply or confirm the shutdown overtook: retry once the agent is back.
absl::Status NotDone(const absl::Status& cancelled) {
  return absl::UnavailableError(
      absl::StrCat("not done: ", cancelled.message(), "; call again once the agent is back"));
}

// SIM plans by ICCID: each given replaces that SIM's own; an all-zero one removes it.
void MergeSimPlans(const v1::ApplyConfigRequest& request, v1::ConnectionConfig& candidate) {
  auto& plans = *candidate.mutable_sim_data_plans();
  for (const auto& [iccid, plan] : request.config().sim_data_plans()) {
    if (plan.ByteSizeLong() == 0) {
      plans.erase(iccid);
    } else {
      plans[iccid] = plan;
    }
  }
}

}  // namespace

ConfigManager::ConfigManager(ConfigManagerOptions options, LinkManager* link,
                             std::function<void(const v1::ConfigStep&)> on_step)
    : options_(std::move(options)),
      link_(link),
      on_step_(std::move(on_step)),
      store_(options_.state_dir + "/config.json"),
      executor_("cf-config", *options_.clock) {}

ConfigManager::~ConfigManager() { Stop(); }

void ConfigManager::Stop() { executor_.Stop(); }

absl::StatusOr<LinkConfig> ConfigManager::LinkConfigOf(const v1::ConnectionConfig& config) const {
  return ToLinkConfig(config, options_.seed.settings);
}

absl::Status ConfigManager::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.state_dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create state dir ", options_.state_dir, ": ", ec.message()));
  }
  ::chmod(options_.state_dir.c_str(), 0700);  // it holds the APN credentials
  store_.RemoveLeftovers();
  absl::StatusOr<std::optional<StoredConfig>> loaded = store_.Load();
  if (absl::IsDataLoss(loaded.status())) {
    const std::string aside = absl::StrCat(store_.path(), ".corrupt-", absl::ToUnixSeconds(Now()));
    spdlog::error("{}; moved to {}, starting from the settings file's connection section",
                  loaded.status(), aside);
    std::filesystem::rename(store_.path(), aside, ec);
    loaded = std::optional<StoredConfig>();
  }
  if (!loaded.ok()) return loaded.status();

  StoredConfig stored;
  if (loaded->has_value() && LinkConfigOf((*loaded)->current().config()).ok()) {
    stored = **loaded;
    const v1::ConnectionConfig seed = WithDefaults(FromLinkConfig(options_.seed));
    if (!google::protobuf::util::MessageDifferencer::Equals(seed, stored.current().config())) {
      spdlog::info(
          "using pushed connection config version {} (the settings file's connection "
          "section is only the first version)",
          stored.current().version());
    }
  } else {
    if (loaded->has_value()) {
      spdlog::error(
          "stored connection config version {} is not valid here; using the settings "
          "file's connection section",
          (*loaded)->current().version());
    }
    v1::ConfigVersion first;
    first.set_version(loaded->has_value() ? (*loaded)->last_version() + 1 : 1);
    *first.mutable_applied_at() = ToProtoTime(Now());
    first.set_applied_by("settings file");
    *first.mutable_config() = WithDefaults(FromLinkConfig(options_.seed));
    *stored.mutable_current() = first;
    stored.set_last_version(first.version());
    if (absl::Status saved = store_.Save(stored); !saved.ok()) return saved;
  }
  {
    absl::MutexLock lock(&mu_);
    stored_ = stored;
  }
  bool rolled_back = false;
  if (stored.has_pending()) {
    const absl::Time deadline = FromProtoTime(stored.pending().deadline());
    const uint64_t number = stored.pending().version();
    if (Now() >= deadline) {
      Rollback("the agent restarted after the confirm deadline", number);  // redials as needed
      rolled_back = true;
    } else {
      spdlog::info("version {} still awaits confirmation until {}; rolling back then", number,
                   absl::FormatTime(deadline));
      PostAt(deadline, [this, number] { Rollback("no confirm before the deadline", number); });
    }
  }
  if (!rolled_back) {
    v1::ConfigVersion current;
    {
      absl::MutexLock lock(&mu_);
      current = stored_.current();
    }
    absl::StatusOr<LinkConfig> link = LinkConfigOf(current.config());
    UseOnLink(current, link.ok() && link->keep_up.enabled);  // keep-up: up from the start
  }
  return absl::OkStatus();
}

void ConfigManager::PostAt(absl::Time at, std::function<void()> task) {
  executor_.PostAt(at, [task = std::move(task)](absl::Status status) {
    if (status.ok()) task();
  });
}

v1::GetConfigResponse ConfigManager::Get(bool include_previous) const {
  absl::MutexLock lock(&mu_);
  v1::GetConfigResponse response;
  *response.mutable_current() = stored_.current();
  *response.mutable_current()->mutable_config() = Masked(stored_.current().config());
  if (include_previous) {
    for (const v1::ConfigVersion& version : stored_.previous()) {
      v1::ConfigVersion* out = response.add_previous();
      *out = version;
      *out->mutable_config() = Masked(version.config());
    }
  }
  if (stored_.has_pending()) *response.mutable_pending() = stored_.pending();
  return response;
}

v1::ConfigState ConfigManager::State() const {
  absl::MutexLock lock(&mu_);
  v1::ConfigState state;
  state.set_version(stored_.current().version());
  if (stored_.has_pending()) *state.mutable_pending() = stored_.pending();
  *state.mutable_recent_steps() = stored_.recent_steps();
  return state;
}

void ConfigManager::Apply(v1::ApplyConfigRequest request, std::string applied_by,
                          std::function<void(absl::StatusOr<v1::ApplyConfigResponse>)> done) {
  executor_.Post([this, request = std::move(request), applied_by = std::move(applied_by),
                  done = std::move(done)](absl::Status status) {
    if (!status.ok()) return done(NotDone(status));
    done(DoApply(request, applied_by));
  });
}

void ConfigManager::Confirm(uint64_t version, std::string confirmed_by,
                            std::function<void(absl::StatusOr<v1::ConfirmConfigResponse>)> done) {
  executor_.Post([this, version, confirmed_by = std::move(confirmed_by),
                  done = std::move(done)](absl::Status status) {
    if (!status.ok()) return done(NotDone(status));
    done(DoConfirm(version, confirmed_by));
  });
}

namespace {

// The config a request asks for: the whole config, or the current one with the masked
// fields replaced; the masked secret keeps the current password.
absl::StatusOr<v1::ConnectionConfig> CandidateConfig(const v1::ApplyConfigRequest& request,
                                                     const v1::ConnectionConfig& current) {
  v1::ConnectionConfig candidate;
  if (request.has_update_mask()) {
    for (const std::string& path : request.update_mask().paths()) {
      if (!FieldMaskUtil::GetFieldDescriptors(v1::ConnectionConfig::descriptor(), path, nullptr)) {
        return absl::InvalidArgumentError(
            absl::StrCat("update_mask: \"", path, "\" is not a connection config field"));
      }
    }
    candidate = current;
    FieldMaskUtil::MergeOptions merge;
    merge.set_replace_message_fields(true);
    merge.set_replace_repeated_fields(true);
    google::protobuf::FieldMask mask;
    for (const std::string& path : request.update_mask().paths()) {
      if (path != "sim_data_plans") *mask.add_paths() = path;
    }
    FieldMaskUtil::MergeMessageTo(request.config(), mask, merge, &candidate);
    if (mask.paths_size() != request.update_mask().paths_size()) MergeSimPlans(request, candidate);
  } else {
    candidate = request.config();
  }
  if (candidate.password() == kMaskedSecret) candidate.set_password(current.password());
  return WithDefaults(candidate);
}

// FAILED_PRECONDITION while another version awaits confirmation; ABORTED when the
// caller's expected version is not the current one.
absl::Status CheckApplicable(const v1::ApplyConfigRequest& request, const StoredConfig& current) {
  if (current.has_pending()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "version ", current.pending().version(),
        " awaits confirmation; confirm it or let it roll back before applying another"));
  }
  if (request.expected_version() != 0 &&
      request.expected_version() != current.current().version()) {
    return absl::AbortedError(absl::StrCat("the config is at version ", current.current().version(),
                                           ", not ", request.expected_version(),
                                           "; read it again"));
  }
  return absl::OkStatus();
}

// The config's and the rendered files' unified diff, and the new files (secret masked).
void DescribeChange(const v1::ConnectionConfig& from, const absl::StatusOr<LinkConfig>& from_link,
                    const v1::ConnectionConfig& to, const LinkConfig& to_link,
                    const modem::ppp::PppFilePaths& paths, v1::ApplyConfigResponse& response) {
  std::string diff = UnifiedDiff("connection", ConfigText(from), ConfigText(to));
  const std::vector<v1::RenderedFile> old_files =
      from_link.ok() ? RenderMasked(*from_link, paths) : std::vector<v1::RenderedFile>();
  const std::vector<v1::RenderedFile> new_files = RenderMasked(to_link, paths);
  for (size_t i = 0; i < new_files.size(); ++i) {
    absl::StrAppend(&diff, UnifiedDiff(absl::StripPrefix(new_files[i].path(), "/"),
                                       i < old_files.size() ? old_files[i].content() : "",
                                       new_files[i].content()));
    *response.add_rendered() = new_files[i];
  }
  response.set_diff(diff);
}

}  // namespace

absl::StatusOr<absl::Duration> ConfigManager::ConfirmWindow(
    const v1::ApplyConfigRequest& request) const {
  if (!request.has_confirm_within()) return absl::ZeroDuration();
  const absl::Duration window = FromProtoDuration(request.confirm_within());
  if (window <= absl::ZeroDuration() || window > options_.max_confirm_window) {
    return absl::InvalidArgumentError(
        absl::StrCat("confirm_within: must be more than 0 and at most ",
                     base::DurationText(options_.max_confirm_window)));
  }
  return window;
}

StoredConfig ConfigManager::WithNewVersion(const StoredConfig& current,
                                           const v1::ConfigVersion& version,
                                           absl::Duration window) const {
  StoredConfig next = current;
  next.set_last_version(version.version());
  next.clear_previous();
  *next.add_previous() = current.current();
  for (const v1::ConfigVersion& old : current.previous()) {
    if (static_cast<size_t>(next.previous_size()) >= options_.kept_versions) break;
    *next.add_previous() = old;
  }
  *next.mutable_current() = version;
  next.set_redial_on_rollback(link_->WantsUp());
  std::string detail = absl::StrCat("by ", version.applied_by());
  if (window > absl::ZeroDuration()) {
    v1::PendingConfirm* pending = next.mutable_pending();
    pending->set_version(version.version());
    pending->set_rollback_to_version(current.current().version());
    *pending->mutable_deadline() = ToProtoTime(Now() + window);
    absl::StrAppend(&detail, "; rolls back to version ", current.current().version(),
                    " unless confirmed within ", base::DurationText(window));
  }
  AddStep(next, v1::CONFIG_STEP_KIND_APPLIED, version.version(), detail);
  return next;
}

absl::StatusOr<v1::ApplyConfigResponse> ConfigManager::DoApply(
    const v1::ApplyConfigRequest& request, const std::string& applied_by) {
  StoredConfig current;
  {
    absl::MutexLock lock(&mu_);
    current = stored_;
  }
  absl::StatusOr<v1::ConnectionConfig> candidate =
      CandidateConfig(request, current.current().config());
  if (!candidate.ok()) return candidate.status();
  absl::StatusOr<LinkConfig> link = LinkConfigOf(*candidate);
  if (!link.ok()) return link.status();
  absl::StatusOr<absl::Duration> window = ConfirmWindow(request);
  if (!window.ok()) return window.status();
  if (absl::Status applicable = CheckApplicable(request, current); !applicable.ok())
    return applicable;

  v1::ApplyConfigResponse response;
  DescribeChange(current.current().config(), LinkConfigOf(current.current().config()), *candidate,
                 *link, link_->FilePaths(), response);
  v1::ConfigVersion next_version;
  *next_version.mutable_config() = *candidate;
  next_version.set_applied_by(applied_by);
  if (request.dry_run()) {
    *response.mutable_applied() = next_version;
    *response.mutable_applied()->mutable_config() = Masked(*candidate);
    return response;
  }

  next_version.set_version(current.last_version() + 1);
  *next_version.mutable_applied_at() = ToProtoTime(Now());
  const bool redial = link_->WantsUp() || link->keep_up.enabled;
  StoredConfig next = WithNewVersion(current, next_version, *window);
  if (absl::Status saved = Commit(next); !saved.ok()) return saved;
  spdlog::info("config version {} applied {}", next_version.version(),
               next.recent_steps().rbegin()->detail());
  if (*window > absl::ZeroDuration()) {
    const uint64_t number = next_version.version();
    PostAt(Now() + *window, [this, number, window = *window] {
      Rollback(absl::StrCat("no confirm within ", base::DurationText(window)), number);
    });
  }
  // The reply goes out first: it may travel over the very link that is redialed.
  const bool keep_up = link->keep_up.enabled;
  PostAt(Now() + (redial ? options_.redial_delay : absl::ZeroDuration()),
         [this, next_version, redial, keep_up] {
           // Asked again: an operator's hang-up in the meantime means no redial.
           UseOnLink(next_version, redial && (keep_up || link_->WantsUp()));
         });

  response.set_version(next_version.version());
  *response.mutable_applied() = next_version;
  *response.mutable_applied()->mutable_config() = Masked(*candidate);
  if (next.has_pending()) *response.mutable_pending() = next.pending();
  response.set_redialing(redial);
  return response;
}

void ConfigManager::UseOnLink(const v1::ConfigVersion& version, bool redial) {
  absl::StatusOr<LinkConfig> link = LinkConfigOf(version.config());
  if (!link.ok()) {  // validated when stored; a board-local change could still break it
    spdlog::error("config version {} cannot be used: {}", version.version(), link.status());
    return;
  }
  const uint64_t number = version.version();
  if (options_.on_plans) {
    DataPlans plans = link->plans;
    plans.config_version = number;
    options_.on_plans(std::move(plans));
  }
  link_->Reconfigure(
      link->settings, link->keep_up, number, redial,
      base::Clock::Real().Now() + options_.redial_timeout,  // a dial is real time
      [this, number, redial](absl::StatusOr<v1::ConnectionStatus> result) {
        if (!redial) return;
        if (result.ok()) {
          spdlog::info("link up with config version {}", number);
          return;
        }
        spdlog::warn("redial with config version {} failed: {}", number, result.status());
        if (!link_->Status().dial_blocked().empty()) return;  // the SIM's cap, not the config
        PostAt(
            absl::InfinitePast(), [this, number, message = std::string(result.status().message())] {
              Rollback(absl::StrCat("redial with version ", number, " failed: ", message), number);
            });
      });
}

void ConfigManager::Rollback(const std::string& reason, uint64_t version) {
  StoredConfig current;
  {
    absl::MutexLock lock(&mu_);
    current = stored_;
  }
  // Confirmed or rolled back meanwhile (perhaps another version now awaits confirmation).
  if (!current.has_pending() || current.pending().version() != version) return;
  const uint64_t failed = current.pending().version();
  const uint64_t restore_to = current.pending().rollback_to_version();
  StoredConfig next = current;
  next.clear_pending();
  next.clear_previous();
  v1::ConfigVersion restored;
  for (const v1::ConfigVersion& old : current.previous()) {
    if (old.version() == restore_to && restored.version() == 0) {
      restored = old;
    }
  }
  if (restored.version() == 0) {
    spdlog::error("cannot roll back: version {} is no longer kept", restore_to);
    return;
  }
  v1::ConfigVersion rolled_back = current.current();
  rolled_back.set_note(absl::StrCat("rolled back: ", reason));
  *next.mutable_current() = restored;
  *next.add_previous() = rolled_back;
  for (const v1::ConfigVersion& old : current.previous()) {
    if (old.version() == restore_to) continue;
    if (static_cast<size_t>(next.previous_size()) >= options_.kept_versions) break;
    *next.add_previous() = old;
  }
  AddStep(next, v1::CONFIG_STEP_KIND_ROLLED_BACK, failed,
          absl::StrCat(reason, "; restored version ", restore_to));
  if (absl::Status saved = Commit(next); !saved.ok()) {
    // The link still goes back to the old config now; the disk keeps the pending apply,
    // so a restart rolls back again: the same outcome.
    spdlog::error("rollback of version {} not saved: {}", failed, saved);
    absl::MutexLock lock(&mu_);
    stored_ = next;
  }
  spdlog::warn("config version {} rolled back to {}: {}", failed, restore_to, reason);
  absl::StatusOr<LinkConfig> link = LinkConfigOf(restored.config());
  const bool redial =
      current.redial_on_rollback() || link_->WantsUp() || (link.ok() && link->keep_up.enabled);
  UseOnLink(restored, redial);
}

absl::StatusOr<v1::ConfirmConfigResponse> ConfigManager::DoConfirm(uint64_t version,
                                                                   const std::string& by) {
  StoredConfig current;
  {
    absl::MutexLock lock(&mu_);
    current = stored_;
  }
  if (version == 0 && current.has_pending()) version = current.pending().version();
  if (!current.has_pending() || current.pending().version() != version) {
    for (const v1::ConfigVersion& old : current.previous()) {
      if (old.version() == version && !old.note().empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("version ", version, " was ", old.note()));
      }
    }
    if (!current.has_pending() && current.current().version() == version) {
      v1::ConfirmConfigResponse response;  // already in force and confirmed: nothing to do
      *response.mutable_current() = current.current();
      *response.mutable_current()->mutable_config() = Masked(current.current().config());
      return response;
    }
    return absl::FailedPreconditionError(
        current.has_pending() ? absl::StrCat("version ", current.pending().version(),
                                             " awaits confirmation, not ", version)
                              : absl::StrCat("no version awaits confirmation (current is ",
                                             current.current().version(), ")"));
  }
  StoredConfig next = current;
  next.clear_pending();
  AddStep(next, v1::CONFIG_STEP_KIND_CONFIRMED, version, absl::StrCat("by ", by));
  if (absl::Status saved = Commit(next); !saved.ok()) return saved;
  spdlog::info("config version {} confirmed by {}", version, by);
  v1::ConfirmConfigResponse response;
  *response.mutable_current() = next.current();
  *response.mutable_current()->mutable_config() = Masked(next.current().config());
  return response;
}

void ConfigManager::AddStep(StoredConfig& stored, v1::ConfigStepKind kind, uint64_t version,
                            std::string detail) const {
  v1::ConfigStep* step = stored.add_recent_steps();
  stored.set_last_step_sequence(stored.last_step_sequence() + 1);
  step->set_sequence(stored.last_step_sequence());
  step->set_kind(kind);
  step->set_version(version);
  step->set_detail(std::move(detail));
  *step->mutable_at() = ToProtoTime(Now());
  while (static_cast<size_t>(stored.recent_steps_size()) > options_.kept_steps) {
    stored.mutable_recent_steps()->DeleteSubrange(0, 1);
  }
}

absl::Status ConfigManager::Commit(StoredConfig next) {
  if (absl::Status saved = store_.Save(next); !saved.ok()) return saved;
  v1::ConfigStep step;
  if (!next.recent_steps().empty()) step = *next.recent_steps().rbegin();
  {
    absl::MutexLock lock(&mu_);
    stored_ = std::move(next);
  }
  if (on_step_) on_step_(step);
  return absl::OkStatus();
}

}  // namespace cellfleet::agent
