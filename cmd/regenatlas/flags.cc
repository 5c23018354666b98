#include "cmd/regenatlas/flags.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace regenatlas::cli {

FlagSet::FlagSet(std::string command, std::string synopsis, std::string description)
    : command_(std::move(command)),
      synopsis_(std::move(synopsis)),
      description_(std::move(description)) {}

void FlagSet::Add(const std::string& name, const std::string& default_value,
                  const std::string& help) {
  order_.push_back(name);
  flags_[name] = Flag{default_value, help, default_value};
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      help_requested_ = true;
      continue;
    }
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (!absl::StartsWith(arg, "--")) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " for '", command_, "' (see --help)"));
    }
    if (!has_value) {
      if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
    }
    it->second.value = value;
  }
  return absl::OkStatus();
}

std::string FlagSet::Usage() const {
  std::string out = absl::StrCat("Usage: ", synopsis_, "\n\n", description_, "\n");
  if (!order_.empty()) out += "\nFlags:\n";
  for (const std::string& name : order_) {
    const Flag& f = flags_.at(name);
    absl::StrAppend(&out, "  --", name, "  (default: \"", f.default_value, "\")\n      ", f.help,
                    "\n");
  }
  return out;
}

std::string FlagSet::GetString(const std::string& name) const { return flags_.at(name).value; }

absl::StatusOr<int> FlagSet::GetInt(const std::string& name) const {
  int v;
  if (!absl::SimpleAtoi(GetString(name), &v)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": not an integer"));
  }
  return v;
}

absl::StatusOr<bool> FlagSet::GetBool(const std::string& name) const {
  bool v;
  if (!absl::SimpleAtob(GetString(name), &v)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": not true/false"));
  }
  return v;
}

absl::StatusOr<absl::Duration> FlagSet::GetDuration(const std::string& name) const {
  absl::Duration d;
  if (!absl::ParseDuration(GetString(name), &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": not a duration such as 10s or 500ms"));
  }
  return d;
}

}  // namespace regenatlas::cli
