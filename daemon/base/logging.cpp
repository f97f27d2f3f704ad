#include "rosterd/base/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <optional>

namespace rosterd {
namespace {

// "%*" renders the syslog priority prefix journald understands ("<3>" for errors, ...).
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        static constexpr const char* kPrefixes[] = {"<7>", "<7>", "<6>", "<4>",
                                                    "<3>", "<2>", "<6>"};
        const char* prefix = kPrefixes[static_cast<int>(msg.level)];
        dest.append(prefix, prefix + 3);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<SyslogPriorityFlag>();
    }
};

std::optional<spdlog::level::level_enum> parse_level(const std::string& name) {
    auto level = spdlog::level::from_str(name);
    // from_str answers "off" for anything unknown; only accept "off" when asked for it.
    if (level == spdlog::level::off && name != "off")
        return std::nullopt;
    return level;
}

}  // namespace

bool setup_logging(const std::string& level) {
    // Again in one process (tests that start several daemons in turn): the new logger replaces
    // the old one, whose registration would otherwise refuse the name.
    spdlog::drop("rosterd");
    auto logger = spdlog::stderr_logger_mt("rosterd");
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (std::getenv("JOURNAL_STREAM")) {
        formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%v");
    } else {
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %v");
    }
    logger->set_formatter(std::move(formatter));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::info);
    return set_log_level(level);
}

bool set_log_level(const std::string& level) {
    auto parsed = parse_level(level);
    if (!parsed)
        return false;
    spdlog::set_level(*parsed);
    return true;
}

}  // namespace rosterd
