// rosterctl users [filters] [--filter NAME] [--sort ...] [--limit N] [--offset N]
//                 [--format table|json|csv]
// The filter flags come from the filter's own field table, so rosterctl, the control protocol and
// saved filters always agree on names and meaning.
#include <iostream>
#include <map>

#include "cli_common.hpp"
#include "ctl_json.hpp"
#include "ctl_table.hpp"
#include "filter_flags.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/model/user_filter.hpp"
#include "rosterd/query/csv.hpp"

namespace rosterd::cli {
namespace {

// Users per request while exporting: small enough to keep both ends' memory flat, large enough
// that a 100,000-user export takes few round trips.
constexpr int kExportPage = 5000;

struct UsersOptions {
    FilterFlags filter;
    std::string sort;
    int limit = 0;  // 0: the daemon's default page (table, json) or everything (csv)
    int offset = 0;
    std::string format = "table";
    int page_size = kExportPage;  // rows per request of a CSV export
};

void add_users_args(const UsersOptions& o, rapidjson::Document& args) {
    add_filter_args(o.filter, args);
    if (!o.sort.empty())
        args.AddMember(rapidjson::StringRef(control::arg::kSort),
                       rapidjson::Value(o.sort.c_str(), args.GetAllocator()), args.GetAllocator());
}

std::string joined(const rapidjson::Value& array, std::size_t max_items = 0) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& item : array.GetArray()) {
        if (max_items && shown == max_items) {
            out += " +" + std::to_string(array.Size() - shown);
            break;
        }
        out += (out.empty() ? "" : ", ") + std::string(item.GetString());
        ++shown;
    }
    return out;
}

// "jira-software@acme:user": the site as its first label, to keep the column narrow.
std::string products_cell(const rapidjson::Value& products) {
    std::string out;
    for (const auto& p : products.GetArray()) {
        std::string site = string_or(p, "site", "");
        std::string role = string_or(p, "role", "");
        if (role.rfind("atlassian/", 0) == 0)
            role.erase(0, 10);
        out += (out.empty() ? "" : ", ") + string_or(p, "product", "") + "@" +
               site.substr(0, site.find('.')) + ":" + role;
    }
    return out;
}

void render_users(const rapidjson::Value& r) {
    Table table({"NAME", "EMAIL", "STATUS", "TYPE", "SITES", "PRODUCTS", "GROUPS", "LAST ACTIVE"});
    for (const auto& u : r["users"].GetArray()) {
        std::string last = string_or(u, "last_active", "never");
        table.add_row({string_or(u, "name", ""), string_or(u, "email", ""),
                       string_or(u, "status", ""), string_or(u, "account_type", ""),
                       joined(u["sites"]), products_cell(u["products"]), joined(u["groups"], 2),
                       last.substr(0, 10)});
    }
    if (table.row_count() > 0)
        table.print(std::cout);
    auto offset = r["offset"].GetInt64();
    auto shown = static_cast<std::int64_t>(r["users"].Size());
    std::cout << (shown ? std::to_string(offset + 1) + "-" + std::to_string(offset + shown)
                        : std::string("none"))
              << " of " << r["total"].GetInt64() << " users, sorted by "
              << string_or(r, "sort", "name") << "; data as of " << string_or(r, "as_of", "?")
              << " (" << format_duration_s(r["age_s"].GetInt64()) << " old)\n";
}

// Pages through every match on one connection, each page pinned to the first page's snapshot and
// instant, writing CSV as it goes: memory stays one page on both ends.
int export_csv(const CliOptions& options, const UsersOptions& o) {
    try {
        ControlClient client(options.socket);
        std::int64_t offset = o.offset;
        std::int64_t remaining = o.limit > 0 ? o.limit : -1;
        std::optional<std::int64_t> snapshot, now_ms;
        std::cout << query::csv_record(query::user_csv_columns());
        while (remaining != 0) {
            rapidjson::Document args(rapidjson::kObjectType);
            add_users_args(o, args);
            auto& a = args.GetAllocator();
            std::int64_t page =
                remaining < 0 ? o.page_size : std::min<std::int64_t>(remaining, o.page_size);
            args.AddMember(rapidjson::StringRef(control::arg::kLimit), page, a);
            args.AddMember(rapidjson::StringRef(control::arg::kOffset), offset, a);
            args.AddMember(rapidjson::StringRef(control::arg::kFormat), "csv", a);
            if (snapshot) {
                args.AddMember(rapidjson::StringRef(control::arg::kSnapshot), *snapshot, a);
                args.AddMember(rapidjson::StringRef(control::arg::kNowMs), *now_ms, a);
            }
            Response response = client.call(control::cmd::kUsers, args);
            if (!response.ok)
                return print_daemon_error(options, control::cmd::kUsers, response);
            const auto& result = response.result;
            snapshot = result["snapshot"].GetInt64();
            now_ms = result["now_ms"].GetInt64();
            const auto& records = result["csv"];
            std::cout.write(records.GetString(), records.GetStringLength());
            auto got = result["count"].GetInt64();
            offset += got;
            if (remaining > 0)
                remaining -= got;
            if (got < page || offset >= result["total"].GetInt64())
                break;
        }
        std::cout.flush();
        return kExitOk;
    } catch (const ControlUnreachable& e) {
        return print_unreachable(options, e);
    } catch (const ControlProtocolError& e) {
        return print_connection_failed(options, e);
    }
}

}  // namespace

void install_users_command(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* users = app.add_subcommand("users", "Browse users: filter, sort, page, export as CSV");
    auto o = std::make_shared<UsersOptions>();
    add_filter_flags(users, o->filter);
    users->add_option("--sort", o->sort, "Order: name (default), email or last-active")
        ->check(CLI::IsMember({"name", "email", "last-active"}));
    users->add_option("--limit", o->limit, "At most N users (table/json default 50)")
        ->check(CLI::Range(1, 1000000));
    users->add_option("--offset", o->offset, "Skip the first N matches")
        ->check(CLI::NonNegativeNumber);
    users->add_option("--format", o->format, "table (default), json or csv (every match)")
        ->check(CLI::IsMember({"table", "json", "csv"}));
    users->add_option("--page-size", o->page_size, "Users per request of a CSV export")
        ->check(CLI::Range(1, 5000))
        ->capture_default_str();
    users->callback([&options, &exit_code, o] {
        if (o->format == "csv") {
            exit_code = export_csv(options, *o);
            return;
        }
        rapidjson::Document args(rapidjson::kObjectType);
        add_users_args(*o, args);
        if (o->limit > 0)
            args.AddMember(rapidjson::StringRef(control::arg::kLimit), std::min(o->limit, 5000),
                           args.GetAllocator());
        if (o->offset > 0)
            args.AddMember(rapidjson::StringRef(control::arg::kOffset), o->offset,
                           args.GetAllocator());
        CliOptions effective = options;
        effective.json = options.json || o->format == "json";
        exit_code = call_and_render(effective, control::cmd::kUsers, args, render_users);
    });
}

}  // namespace rosterd::cli
