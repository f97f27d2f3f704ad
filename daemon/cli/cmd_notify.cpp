// rosterctl notify test|list|retry.
#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::cli {
namespace {

void render_list(const rapidjson::Value& r) {
    Table table({"ID", "EVENT", "WEBHOOK", "STATE", "ATTEMPTS", "CREATED", "NEXT/DELIVERED",
                 "STATUS", "LAST ERROR"});
    for (const auto& d : r["deliveries"].GetArray()) {
        std::string state = string_or(d, "state", "");
        std::string when = state == "pending"     ? string_or(d, "next_attempt_at", "-")
                           : state == "delivered" ? string_or(d, "delivered_at", "-")
                                                  : "-";
        table.add_row({string_or(d, "id", ""), string_or(d, "event", ""),
                       string_or(d, "webhook", ""), state, string_or(d, "attempts", "0"),
                       string_or(d, "created_at", ""), when, string_or(d, "last_status", "-"),
                       string_or(d, "last_error", "")});
    }
    table.print(std::cout);
}

}  // namespace

void install_notify_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* notify = app.add_subcommand(
        "notify", "Webhook and mail notifications: test, test-email, list, retry");
    notify->require_subcommand(1);

    auto* test = notify->add_subcommand("test", "Send a test message to a webhook (operator)");
    auto name = std::make_shared<std::string>();
    test->add_option("name", *name, "The webhook's name (notifications.webhooks[].name)")
        ->required();
    test->callback([&options, &exit_code, name] {
        rapidjson::Document args(rapidjson::kObjectType);
        args.AddMember(rapidjson::StringRef(control::arg::kWebhook),
                       rapidjson::Value(name->c_str(), args.GetAllocator()), args.GetAllocator());
        exit_code = call_and_render(
            options, control::cmd::kNotifyTest, args, [](const rapidjson::Value& r) {
                std::cout << "test message delivered to " << string_or(r, "webhook", "?")
                          << " (delivery #" << string_or(r, "id", "?") << ", HTTP "
                          << string_or(r, "status", "?") << ")\n";
            });
    });

    auto* test_email =
        notify->add_subcommand("test-email", "Send a test mail through email: (operator)");
    auto address = std::make_shared<std::string>();
    test_email->add_option("address", *address, "The recipient")->required();
    test_email->callback([&options, &exit_code, address] {
        rapidjson::Document args(rapidjson::kObjectType);
        args.AddMember(rapidjson::StringRef(control::arg::kAddress),
                       rapidjson::Value(address->c_str(), args.GetAllocator()),
                       args.GetAllocator());
        exit_code = call_and_render(
            options, control::cmd::kNotifyTestEmail, args, [](const rapidjson::Value& r) {
                std::cout << "test mail sent (delivery #" << string_or(r, "id", "?")
                          << ", SMTP reply " << string_or(r, "status", "?") << ")\n";
            });
    });

    auto* list = notify->add_subcommand("list", "Recent deliveries: state, attempts, last error");
    auto limit = std::make_shared<int>(20);
    auto state = std::make_shared<std::string>();
    list->add_option("-n,--limit", *limit, "How many")->capture_default_str();
    list->add_option("--state", *state, "Only pending, delivered or dead ones");
    list->callback([&options, &exit_code, limit, state] {
        rapidjson::Document args(rapidjson::kObjectType);
        auto& a = args.GetAllocator();
        args.AddMember(rapidjson::StringRef(control::arg::kLimit), *limit, a);
        if (!state->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kState),
                           rapidjson::Value(state->c_str(), a), a);
        exit_code = call_and_render(options, control::cmd::kNotifyList, args, render_list);
    });

    auto* retry = notify->add_subcommand("retry", "Requeue a dead delivery (operator)");
    auto id = std::make_shared<std::int64_t>(0);
    retry->add_option("id", *id, "The delivery id (rosterctl notify list)")->required();
    retry->callback([&options, &exit_code, id] {
        rapidjson::Document args(rapidjson::kObjectType);
        args.AddMember(rapidjson::StringRef(control::arg::kId), *id, args.GetAllocator());
        exit_code = call_and_render(options, control::cmd::kNotifyRetry, args,
                                    [](const rapidjson::Value& r) {
                                        std::cout << "delivery #" << string_or(r, "id", "?")
                                                  << " requeued; it is attempted again now\n";
                                    });
    });
}

}  // namespace rosterd::cli
