#include "cli_common.hpp"

#include <iostream>

#include "ctl_json.hpp"

namespace rosterd::cli {

int call_and_render(const CliOptions& options, const std::string& command,
                    const rapidjson::Value& args, const Renderer& render,
                    const ProgressHandler& on_progress) {
    try {
        ControlClient client(options.socket);
        Response response = client.call(command, args, on_progress);
        if (!response.ok) {
            std::cerr << "rosterctl: " << command << ": " << response.error_message << " ["
                      << response.error_code << "]\n";
            return response.error_code == "invalid_args" ? kExitUsage : kExitFailed;
        }
        if (options.json) {
            print_json(std::cout, response.result);
        } else if (render) {
            render(response.result);
        }
        return kExitOk;
    } catch (const ControlUnreachable& e) {
        std::cerr << "rosterctl: " << e.what() << "\n";
        return kExitUnreachable;
    } catch (const ControlProtocolError& e) {
        std::cerr << "rosterctl: connection to rosterd failed: " << e.what() << "\n";
        return kExitUnreachable;
    }
}

std::string format_duration_s(std::int64_t seconds) {
    if (seconds < 0)
        return "-";
    std::int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60,
                 s = seconds % 60;
    if (d > 0)
        return std::to_string(d) + "d " + std::to_string(h) + "h";
    if (h > 0)
        return std::to_string(h) + "h " + std::to_string(m) + "m";
    if (m > 0)
        return std::to_string(m) + "m " + std::to_string(s) + "s";
    return std::to_string(s) + "s";
}

std::string string_or(const rapidjson::Value& object, const char* key,
                      const std::string& fallback) {
    if (!object.IsObject())
        return fallback;
    auto found = object.FindMember(key);
    if (found == object.MemberEnd() || found->value.IsNull())
        return fallback;
    if (found->value.IsString())
        return found->value.GetString();
    if (found->value.IsInt64())
        return std::to_string(found->value.GetInt64());
    if (found->value.IsBool())
        return found->value.GetBool() ? "yes" : "no";
    if (found->value.IsDouble())
        return std::to_string(found->value.GetDouble());
    return fallback;
}

}  // namespace rosterd::cli
