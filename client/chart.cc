#include "client/chart.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "base/duration_text.h"
#include "base/spawn.h"

namespace cellfleet::client {
namespace {

constexpr absl::Duration kGnuplotTimeout = absl::Seconds(60);
// One colour per kind of mark, in the order kinds first appear.
constexpr const char* kMarkColours[] = {"#d62728", "#9467bd", "#8c564b",
                                        "#e377c2", "#7f7f7f", "#17becf"};

// A gnuplot single-quoted string: a quote is doubled; no line breaks.
std::string GnuplotString(absl::string_view text) {
  std::string out = absl::StrReplaceAll(text, {{"'", "''"}, {"\n", " "}, {"\r", " "}});
  return absl::StrCat("'", out, "'");
}

std::string GnuplotTime(absl::Time t) {
  return absl::StrFormat("%.3f", absl::ToDoubleSeconds(t - absl::UnixEpoch()));
}

bool HasPoints(const ChartPanel& panel) {
  for (const ChartSeries& s : panel.series) {
    if (!s.points.empty()) return true;
  }
  return false;
}

std::string ReadGnuplotErrors(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string GnuplotScript(const Chart& chart, const std::string& output, bool png) {
  std::vector<const ChartPanel*> panels;
  absl::Time first = absl::InfiniteFuture(), last = absl::InfinitePast();
  for (const ChartPanel& panel : chart.panels) {
    if (!HasPoints(panel)) continue;
    panels.push_back(&panel);
    for (const ChartSeries& s : panel.series) {
      for (const ChartPoint& p : s.points) {
        first = std::min(first, p.at);
        last = std::max(last, p.at);
      }
    }
  }
  if (panels.empty()) return "";
  if (last == first) last = first + absl::Seconds(1);
  const int height = 80 + 260 * static_cast<int>(panels.size());
  std::string out =
      png ? absl::StrFormat("set terminal pngcairo size 1100,%d noenhanced font 'sans,10'\n",
                            height)
          : absl::StrFormat(
                "set terminal svg size 1100,%d dynamic noenhanced font 'sans,11' background "
                "rgb 'white'\n",
                height);
  absl::StrAppend(&out, "set output ", GnuplotString(output), "\n");
  // Data first, inline: datablock $dI_J is panel I's series J; a blank line is a gap.
  for (size_t i = 0; i < panels.size(); ++i) {
    for (size_t j = 0; j < panels[i]->series.size(); ++j) {
      absl::StrAppend(&out, "$d", i, "_", j, " << EOD\n");
      const ChartSeries& s = panels[i]->series[j];
      for (size_t k = 0; k < s.points.size(); ++k) {
        if (k > 0 && s.points[k].at - s.points[k - 1].at > s.gap_after) out += "\n";
        absl::StrAppend(&out, GnuplotTime(s.points[k].at), " ",
                        absl::StrFormat("%.6g", s.points[k].value), "\n");
      }
      out += "EOD\n";
    }
  }
  const absl::Duration span = last - first;
  const char* time_format = span > absl::Hours(36)     ? "'%m-%d %H:%M'"
                            : span > absl::Minutes(20) ? "'%H:%M'"
                                                       : "'%H:%M:%S'";
  absl::StrAppend(&out, "set xdata time\nset timefmt '%s'\nset format x ", time_format,
                  "\nset xrange ['", GnuplotTime(first), "':'", GnuplotTime(last),
                  "']\nset grid\nset key outside right top\n", "set lmargin 12\nset rmargin 28\n");
  // Marks: a dashed line across every panel in its kind's colour.
  std::vector<std::string> kinds;
  int arrow = 0;
  for (const ChartMark& mark : chart.marks) {
    if (mark.at < first || mark.at > last) continue;
    size_t kind = std::find(kinds.begin(), kinds.end(), mark.kind) - kinds.begin();
    if (kind == kinds.size()) kinds.push_back(mark.kind);
    absl::StrAppend(&out, "set arrow ", ++arrow, " from '", GnuplotTime(mark.at), "', graph 0 to '",
                    GnuplotTime(mark.at), "', graph 1 nohead lw 1.2 dt 2 lc rgb '",
                    kMarkColours[kind % std::size(kMarkColours)], "'\n");
  }
  absl::StrAppend(&out, "set multiplot layout ", panels.size(), ",1 title ",
                  GnuplotString(chart.title), "\n");
  for (size_t i = 0; i < panels.size(); ++i) {
    if (i == 0) {  // the marks' words once, on the top panel; marks that touch share one
      int label = 0;
      // A label is a line of 8-point text turned upright, about 14 px wide, on a plot
      // about 1000 px wide: marks closer than that share one label (at 1/150 of the
      // window, as before, neighbouring labels still overlapped).
      const absl::Duration touching = span * 14 / 1000;
      for (size_t m = 0; m < chart.marks.size();) {
        const ChartMark& mark = chart.marks[m];
        std::vector<std::string> words;
        size_t next = m;
        for (; next < chart.marks.size() && chart.marks[next].at - mark.at <= touching; ++next) {
          if (!chart.marks[next].label.empty()) words.push_back(chart.marks[next].label);
        }
        m = next;
        if (mark.at < first || mark.at > last || words.empty()) continue;
        absl::StrAppend(&out, "set label ", ++label, " ", GnuplotString(absl::StrJoin(words, "; ")),
                        " at '", GnuplotTime(mark.at), "', graph 0.97 rotate by 90 right front ",
                        "font ',8' offset -0.6,0\n");
      }
    } else {
      out += "unset label\n";
    }
    absl::StrAppend(&out, "set ylabel ", GnuplotString(panels[i]->y_label), "\n",
                    i + 1 == panels.size() ? "set xlabel 'time (UTC)'\n" : "unset xlabel\n");
    std::vector<std::string> plots;
    for (size_t j = 0; j < panels[i]->series.size(); ++j) {
      if (panels[i]->series[j].points.empty()) continue;
      plots.push_back(absl::StrCat("$d", i, "_", j, " using 1:2 with linespoints pt 7 ps 0.3 ",
                                   "lw 1.5 title ", GnuplotString(panels[i]->series[j].title)));
    }
    if (i == 0) {  // the marks' legend
      for (size_t k = 0; k < kinds.size(); ++k) {
        plots.push_back(absl::StrCat("NaN with lines lw 1.2 dt 2 lc rgb '",
                                     kMarkColours[k % std::size(kMarkColours)], "' title ",
                                     GnuplotString(kinds[k])));
      }
    }
    absl::StrAppend(&out, "plot ", absl::StrJoin(plots, ", "), "\n");
  }
  out += "unset multiplot\nset output\n";
  return out;
}

absl::Status RenderChart(const Chart& chart, const std::string& path, const std::string& gnuplot) {
  const bool png = absl::EndsWithIgnoreCase(path, ".png");
  if (!png && !absl::EndsWithIgnoreCase(path, ".svg")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--chart ", path, ": name an .svg or a .png file"));
  }
  if (::access(gnuplot.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("charts are drawn by gnuplot, and ", gnuplot,
                                                      " is not there: apt install gnuplot-nox"));
  }
  // Drawn beside the target and renamed over it: a failed or cut-short run leaves the
  // old file, never half an image.
  const std::string partial = absl::StrCat(path, ".partial-", ::getpid());
  const std::string script = GnuplotScript(chart, partial, png);
  if (script.empty()) return absl::InvalidArgumentError("nothing to draw: no points in the window");
  const char* tmp = std::getenv("TMPDIR");
  std::string dir_pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/cellfleet-chart-XXXXXX");
  if (::mkdtemp(dir_pattern.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot make a directory for gnuplot's script: ", std::strerror(errno)));
  }
  const std::string script_path = dir_pattern + "/chart.gp";
  const std::string errors_path = dir_pattern + "/gnuplot.err";
  auto clean_up = [&] {
    std::remove(script_path.c_str());
    std::remove(errors_path.c_str());
    ::rmdir(dir_pattern.c_str());
    std::remove(partial.c_str());
  };
  {
    std::ofstream file(script_path);
    file << script;
    if (!file.flush()) {
      clean_up();
      return absl::InternalError(absl::StrCat("cannot write ", script_path));
    }
  }
  absl::StatusOr<pid_t> pid = base::Spawn({gnuplot, script_path})
                                  .Open(0, "/dev/null")
                                  .Open(1, "/dev/null", O_WRONLY)
                                  .Open(2, errors_path, O_WRONLY | O_CREAT | O_TRUNC, 0600)
                                  .Start();
  if (!pid.ok()) {
    clean_up();
    return pid.status();
  }
  absl::StatusOr<int> exit_code = base::WaitForExit(*pid, kGnuplotTimeout);
  if (!exit_code.ok()) {
    ::kill(*pid, SIGKILL);
    (void)base::WaitForExit(*pid, absl::Seconds(5));
    clean_up();
    return absl::DeadlineExceededError(
        absl::StrCat("gnuplot did not finish within ", base::DurationText(kGnuplotTimeout)));
  }
  const std::string words = ReadGnuplotErrors(errors_path);
  if (*exit_code != 0 || ::access(partial.c_str(), R_OK) != 0) {
    clean_up();
    return absl::FailedPreconditionError(
        absl::StrCat("gnuplot failed (exit ", *exit_code, "): ", words));
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    const int error = errno;
    clean_up();
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
  }
  clean_up();
  return absl::OkStatus();
}

}  // namespace cellfleet::client
