#ifndef REGENATLAS_CMD_REGENATLAS_FLAGS_H_
#define REGENATLAS_CMD_REGENATLAS_FLAGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace regenatlas::cli {

// The flags of one subcommand: declared with defaults and help text, parsed
// from `--name=value` or `--name value`, rendered as --help. Unknown flags
// and bad values are errors naming the flag.
class FlagSet {
 public:
  FlagSet(std::string command, std::string synopsis, std::string description);

  void Add(const std::string& name, const std::string& default_value, const std::string& help);

  // Parses args (after the subcommand). `--help`/`-h` sets help_requested().
  absl::Status Parse(const std::vector<std::string>& args);

  bool help_requested() const { return help_requested_; }
  const std::vector<std::string>& positional() const { return positional_; }
  std::string Usage() const;

  std::string GetString(const std::string& name) const;
  absl::StatusOr<int> GetInt(const std::string& name) const;
  absl::StatusOr<bool> GetBool(const std::string& name) const;
  absl::StatusOr<absl::Duration> GetDuration(const std::string& name) const;

 private:
  struct Flag {
    std::string default_value;
    std::string help;
    std::string value;
  };
  std::string command_, synopsis_, description_;
  std::vector<std::string> order_;
  std::map<std::string, Flag> flags_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
};

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_FLAGS_H_
