#include "options.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "rosterd/base/text.hpp"
#include "rosterd/base/time_format.hpp"
#include "truth.hpp"

namespace rosterd::sim {

namespace {

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

}  // namespace

int parse_command_line(int argc, const char* const* argv, SimOptions& o) {
    CLI::App app{"rosterd-sim: a simulated Atlassian organization (Admin API + webhook sink)"};
    app.option_defaults()->always_capture_default();
    Knobs& k = o.settings.knobs;
    GeneratorOptions& g = o.generator;
    std::size_t groups = 0;

    app.add_option("--listen", o.listen, "Address to listen on");
    app.add_option("--port", o.port, "Port (0 = ephemeral)")->check(CLI::Range(0, 65535));
    app.add_option("--port-file", o.port_file, "Write the bound port to this file (atomically)");

    auto* org = app.add_option_group("Organization");
    org->add_option("--users", g.users, "Number of users")->check(CLI::Range(0, 10'000'000));
    org->add_option("--sites", g.sites, "Number of sites")->check(CLI::Range(1, 1000));
    org->add_option("--products-per-site", g.products_per_site, "Products per site (1..4)")
        ->check(CLI::Range(1, 4));
    auto* groups_option = org->add_option(
        "--groups", groups, "Total groups incl. role-granting (default max(20, users/50))");
    org->add_option("--seed", g.seed, "Seed of the generated organization");
    org->add_option("--now", o.now, "Reference instant for activity (ISO-8601; default now)");
    org->add_option("--org-id", g.org_id, "Organization id");
    org->add_option("--org-name", g.org_name, "Organization name");
    auto* fixture =
        org->add_option("--fixture", o.fixture, "Load the org from a truth/fixture JSON file")
            ->check(CLI::ExistingFile);
    for (const char* generated :
         {"--users", "--sites", "--products-per-site", "--groups", "--seed"}) {
        fixture->excludes(generated);
    }

    auto* auth = app.add_option_group("Authentication");
    auth->add_option("--api-key-file", o.api_key_file,
                     "File holding the accepted bearer key (default key: sim-key)")
        ->check(CLI::ExistingFile);
    auth->add_flag("--key-scoped", o.settings.knobs.key_scoped,
                   "The key has scopes: user management and unscoped-only endpoints answer 403");
    auth->add_option("--key-expires", o.key_expires,
                     "After this ISO-8601 instant every call answers 401");

    app.add_option("--dump-truth", o.dump_truth,
                   "Write the ground truth JSON to this file at start-up");
    app.add_option("--request-log", o.settings.request_log_path,
                   "Append one JSON line per API request");

    auto* knobs = app.add_option_group("Knobs (also POST /_sim/config)");
    knobs->add_option("--latency-ms", k.latency_ms, "Latency per API request")
        ->check(CLI::Range(0, 600000));
    knobs->add_option("--page-size", k.page_size, "v1 users page size")
        ->check(CLI::Range(1, 10000));
    knobs->add_option("--error-rate", k.error_rate, "Fraction answered 500/503")
        ->check(CLI::Range(0.0, 1.0));
    knobs->add_option("--rate-limit", k.rate_limit, "Requests per minute per key (0 = off)")
        ->check(CLI::NonNegativeNumber);
    knobs
        ->add_option("--last-active-limit", k.last_active_limit,
                     "last-active-dates requests per minute per org")
        ->check(CLI::PositiveNumber);
    knobs
        ->add_option("--rate-429-rate", k.rate_429_rate,
                     "Fraction answered 429 regardless of counts")
        ->check(CLI::Range(0.0, 1.0));
    knobs->add_flag("--retry-after", k.retry_after, "Send Retry-After on 429 answers");
    knobs->add_option("--truncate-rate", k.truncate_rate, "Fraction of 200 JSON bodies cut in half")
        ->check(CLI::Range(0.0, 1.0));
    knobs->add_option("--reset-rate", k.reset_rate, "Fraction of connections dropped mid-response")
        ->check(CLI::Range(0.0, 1.0));
    knobs->add_option("--slow-ms", k.slow_ms, "Extra delay for a fraction --slow-rate of requests")
        ->check(CLI::Range(0, 600000));
    knobs->add_option("--slow-rate", k.slow_rate, "Fraction of requests delayed by --slow-ms")
        ->check(CLI::Range(0.0, 1.0));
    knobs->add_option("--slow-path", k.slow_path,
                      "Slow only requests whose path contains this text (default: any)");
    knobs
        ->add_option("--cursor-ttl-s", k.cursor_ttl_s,
                     "Cursors older than this answer 400 (0 = never)")
        ->check(CLI::NonNegativeNumber);
    knobs->add_option("--fault-seed", o.settings.fault_seed, "Seed of the random fault sequence");
    knobs->add_flag("--require-json-body,!--no-require-json-body", k.require_json_body,
                    "Body-less POST without application/json answers 415");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return app.exit(error);
    }
    if (groups_option->count() > 0)
        g.groups = groups;
    return -1;
}

Model build_model(const SimOptions& o) {
    if (o.fixture)
        return model_from_truth(read_whole_file(*o.fixture));
    GeneratorOptions generator = o.generator;
    if (o.now) {
        auto ms = parse_iso8601_ms(*o.now);
        if (!ms)
            throw std::runtime_error("--now is not an ISO-8601 instant: " + *o.now);
        generator.now_ms = *ms;
    } else {
        generator.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    }
    return generate_model(generator);
}

SimSettings build_settings(const SimOptions& o) {
    SimSettings settings = o.settings;
    if (o.api_key_file) {
        settings.api_key = trimmed(read_whole_file(*o.api_key_file));
        // Never echo the key itself: only say where it should have been.
        if (settings.api_key.empty())
            throw std::runtime_error("the API key file is empty");
    }
    if (o.key_expires) {
        auto ms = parse_iso8601_ms(*o.key_expires);
        if (!ms)
            throw std::runtime_error("--key-expires is not an ISO-8601 instant");
        settings.knobs.key_expires_ms = ms;
    }
    return settings;
}

void write_file_atomically(const std::string& path, const std::string& content) {
    std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot write " + temporary);
        out << content;
        out.flush();
        if (!out)
            throw std::runtime_error("cannot write " + temporary);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        throw std::runtime_error("cannot rename " + temporary + " to " + path);
    }
}

}  // namespace rosterd::sim
