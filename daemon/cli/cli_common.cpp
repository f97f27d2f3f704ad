#include "cli_common.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <iostream>

#include "ctl_json.hpp"
#include "rosterd/control/protocol.hpp"

namespace rosterd::cli {

int call_and_render(const CliOptions& options, const std::string& command,
                    const rapidjson::Value& args, const Renderer& render,
                    const ProgressHandler& on_progress) {
    try {
        ControlClient client(options.socket);
        Response response = client.call(command, args, on_progress);
        if (!response.ok)
            return print_daemon_error(options, command, response);
        if (options.json) {
            print_json(std::cout, response.result);
        } else if (render) {
            render(response.result);
        }
        return kExitOk;
    } catch (const ControlUnreachable& e) {
        return print_unreachable(options, e);
    } catch (const ControlProtocolError& e) {
        return print_connection_failed(options, e);
    }
}

void print_error(const CliOptions& options, const std::string& human, std::string_view code,
                 std::string_view message) {
    if (!options.json) {
        std::cerr << human << "\n";
        return;
    }
    // The "error" member of the daemon's error answers (docs/control-protocol.md), on one line.
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("error");
    writer.StartObject();
    writer.Key("code");
    writer.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
    writer.Key("message");
    writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    writer.EndObject();
    writer.EndObject();
    std::cerr << std::string_view(buffer.GetString(), buffer.GetSize()) << "\n" << std::flush;
}

int print_daemon_error(const CliOptions& options, const std::string& command,
                       const Response& response) {
    print_error(
        options,
        "rosterctl: " + command + ": " + response.error_message + " [" + response.error_code + "]",
        response.error_code, response.error_message);
    return response.error_code == control::kInvalidArgs ? kExitUsage : kExitFailed;
}

int print_unreachable(const CliOptions& options, const ControlUnreachable& error) {
    print_error(options, std::string("rosterctl: ") + error.what(), kCliUnreachable, error.what());
    return kExitUnreachable;
}

int print_connection_failed(const CliOptions& options, const ControlProtocolError& error) {
    print_error(options, std::string("rosterctl: connection to rosterd failed: ") + error.what(),
                kCliConnectionFailed, error.what());
    return kExitUnreachable;
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
