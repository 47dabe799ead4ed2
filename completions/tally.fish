# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tally_global_optspecs
    string join \n db= format= color= v/verbose q/quiet no-input h/help V/version
end

function __fish_tally_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tally_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tally_using_subcommand
    set -l cmd (__fish_tally_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tally -n "__fish_tally_needs_command" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_needs_command" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_needs_command" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_needs_command" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_needs_command" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_needs_command" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_needs_command" -s V -l version -d 'Print version'
complete -c tally -n "__fish_tally_needs_command" -f -a "demo" -d 'Run tally end to end against the built-in sandbox bank, offline, in seconds'
complete -c tally -n "__fish_tally_needs_command" -f -a "link" -d 'Link a bank through its consent flow and choose the accounts to track'
complete -c tally -n "__fish_tally_needs_command" -f -a "connections" -d 'List, show or unlink connections (a consent at one provider)'
complete -c tally -n "__fish_tally_needs_command" -f -a "conn" -d 'List, show or unlink connections (a consent at one provider)'
complete -c tally -n "__fish_tally_needs_command" -f -a "accounts" -d 'List, show, rename, add or remove accounts'
complete -c tally -n "__fish_tally_needs_command" -f -a "sync" -d 'Fetch new transactions from the banks'
complete -c tally -n "__fish_tally_needs_command" -f -a "import" -d 'Import bank statement files (OFX/QFX, CSV, QIF, CAMT, zips of CAMT)'
complete -c tally -n "__fish_tally_needs_command" -f -a "export" -d 'Export transactions as CSV, JSON or a ledger, hledger or beancount journal'
complete -c tally -n "__fish_tally_needs_command" -f -a "restore" -d 'Restore everything from a `tally export --all` document into a new database'
complete -c tally -n "__fish_tally_needs_command" -f -a "purge" -d 'Erase everything tally holds: the database, every token and the database key'
complete -c tally -n "__fish_tally_needs_command" -f -a "doctor" -d 'Check the database, the keyring, consents and syncs, with a hint for each problem'
complete -c tally -n "__fish_tally_needs_command" -f -a "init" -d 'Create an empty database (encrypted with --encrypt)'
complete -c tally -n "__fish_tally_needs_command" -f -a "encrypt" -d 'Encrypt the database with a key kept in the secret store'
complete -c tally -n "__fish_tally_needs_command" -f -a "decrypt" -d 'Turn an encrypted database back into plain SQLite'
complete -c tally -n "__fish_tally_needs_command" -f -a "tx" -d 'List, show and categorize transactions'
complete -c tally -n "__fish_tally_needs_command" -f -a "categories" -d 'List, add, rename, move or remove categories'
complete -c tally -n "__fish_tally_needs_command" -f -a "categorize" -d 'Categorize every transaction you have not categorized yourself, again'
complete -c tally -n "__fish_tally_needs_command" -f -a "review" -d 'Walk uncategorized and doubtful rows at a terminal: accept, change, skip, or make a rule'
complete -c tally -n "__fish_tally_needs_command" -f -a "report" -d 'Reports over your transactions (transfers and removed rows never count)'
complete -c tally -n "__fish_tally_needs_command" -f -a "budget" -d 'Monthly or yearly budgets per category: what you mean to spend, and how it is going'
complete -c tally -n "__fish_tally_needs_command" -f -a "rates" -d 'Exchange rates for converting reports into one currency (--convert-to)'
complete -c tally -n "__fish_tally_needs_command" -f -a "rules" -d 'Rules that categorize, rename and tag rows: the first that matches a row wins'
complete -c tally -n "__fish_tally_needs_command" -f -a "transfers" -d 'Money moved between your own accounts, which reports leave out of spending and income'
complete -c tally -n "__fish_tally_needs_command" -f -a "recurring" -d 'Subscriptions, bills and salary that come on a schedule, found in your transactions'
complete -c tally -n "__fish_tally_needs_command" -f -a "alerts" -d 'Charges and consents that deserve a look, with the transactions behind each'
complete -c tally -n "__fish_tally_needs_command" -f -a "sandbox" -d 'Run the built-in sandbox bank'
complete -c tally -n "__fish_tally_needs_command" -f -a "config" -d 'Show tally\'s configuration'
complete -c tally -n "__fish_tally_using_subcommand demo" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand demo" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand demo" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand demo" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand demo" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand demo" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand link" -l name -d 'A name for the connection (default: the provider\'s name, made unique)' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l relink -d 'Renew an existing connection\'s consent in place: its accounts are matched by stable identity (IBAN, or mask and name), never duplicated, and the next sync backfills the gap' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l timeout -d 'How long to wait for the consent, in seconds' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l token-file -d 'For providers that ask for a secret (a setup token, an API key): read it from this file, or from stdin with `-`, instead of a prompt (which never echoes it)' -r -F
complete -c tally -n "__fish_tally_using_subcommand link" -l country -d 'For providers that list banks by country (enablebanking, gocardless): your bank\'s country, as its two-letter code (FI, DE, …)' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l bank -d 'For providers that front many banks (enablebanking, gocardless): your bank\'s name as the provider lists it, in any case; without it a terminal offers a picker. For fdx: the NAME of an `[fdx.NAME]` section of the config (its issuer, client_id, api, scopes); flags beat it' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l redirect-url-file -d 'For banks that send you on to a web page tally cannot receive (enablebanking): read the address you landed on from this file, or from stdin with `-`, instead of a prompt' -r -F
complete -c tally -n "__fish_tally_using_subcommand link" -l issuer -d 'For fdx: the bank\'s OpenID Connect issuer URL (its discovery document lives under it); beats `[providers.fdx] issuer`' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l client-id -d 'For fdx: the client id the bank gave you when you registered tally (a public client, no secret, redirect `http://127.0.0.1/callback`)' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l api -d 'For fdx: the base URL of the bank\'s FDX API (`GET {api}/accounts`)' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l scope -d 'For fdx: scopes to ask for besides `openid offline_access`, as the bank names them' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l application-id -d 'For teller: your application id (app_…), from the Application Settings page of the Teller dashboard; beats `[providers.teller] application_id`' -r
complete -c tally -n "__fish_tally_using_subcommand link" -l cert -d 'For teller: the client certificate from your teller.zip (certificate.pem); kept in the secret store with the key, so it is needed only once' -r -F
complete -c tally -n "__fish_tally_using_subcommand link" -l key -d 'For teller: the private key from your teller.zip (private_key.pem)' -r -F
complete -c tally -n "__fish_tally_using_subcommand link" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand link" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand link" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand link" -l no-browser -d 'Only print the consent URL; do not try to open a browser'
complete -c tally -n "__fish_tally_using_subcommand link" -l all -d 'Track every account the consent covers without asking (required without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand link" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand link" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand link" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand link" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -f -a "list" -d 'List connections with their status and consent expiry (the default)'
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -f -a "show" -d 'Show one connection'
complete -c tally -n "__fish_tally_using_subcommand connections; and not __fish_seen_subcommand_from list show unlink" -f -a "unlink" -d 'Revoke a connection\'s consent at the provider and delete its tokens; its accounts and transactions stay in the database unless --purge'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from show" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from show" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from show" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -l purge -d 'Also erase its accounts, transactions, raw records and sync history (asks first)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -l yes -d 'Do not ask before erasing (with --purge)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand connections; and __fish_seen_subcommand_from unlink" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -f -a "list" -d 'List connections with their status and consent expiry (the default)'
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -f -a "show" -d 'Show one connection'
complete -c tally -n "__fish_tally_using_subcommand conn; and not __fish_seen_subcommand_from list show unlink" -f -a "unlink" -d 'Revoke a connection\'s consent at the provider and delete its tokens; its accounts and transactions stay in the database unless --purge'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from show" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from show" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from show" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -l purge -d 'Also erase its accounts, transactions, raw records and sync history (asks first)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -l yes -d 'Do not ask before erasing (with --purge)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand conn; and __fish_seen_subcommand_from unlink" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -f -a "list" -d 'List accounts with their balances (the default)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -f -a "show" -d 'Show one account'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -f -a "rename" -d 'Give an account a name of your own'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -f -a "add" -d 'Add an account by hand, for statements you import yourself'
complete -c tally -n "__fish_tally_using_subcommand accounts; and not __fish_seen_subcommand_from list show rename add remove" -f -a "remove" -d 'Remove an account and all its transactions'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from show" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from show" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from show" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from rename" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from rename" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from rename" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from rename" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from rename" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from rename" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -l currency -d 'Its ISO 4217 currency, e.g. EUR' -r
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -l kind -d 'What kind of account it is: checking, savings, credit, loan, investment or other' -r
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l yes -d 'Do not ask'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand accounts; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand sync" -l wait -d 'Wait up to SECS for another sync of this database to finish' -r
complete -c tally -n "__fish_tally_using_subcommand sync" -l limit -d 'With --history: how many rows, 0 for all' -r
complete -c tally -n "__fish_tally_using_subcommand sync" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand sync" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand sync" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand sync" -l history -d 'List past syncs, newest first, instead of syncing'
complete -c tally -n "__fish_tally_using_subcommand sync" -l if-due -d 'The cron mode: sync only connections that are due (by the provider\'s interval) and have calls left today under its documented quota; skip the rest quietly'
complete -c tally -n "__fish_tally_using_subcommand sync" -l replay -d 'Rebuild the connections\' transactions from their stored raw records, without the network (after an upgrade changed how payloads are read or matched)'
complete -c tally -n "__fish_tally_using_subcommand sync" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand sync" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand sync" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand import" -l account -d 'The account the rows belong to (name or id), overriding any the file names; with --create-account, a name tally does not know is created' -r
complete -c tally -n "__fish_tally_using_subcommand import" -l file-format -d 'The file format (`--format` is the global table|csv|json flag, for the summary)' -r -f -a "auto\t'Decide from the file\'s content'
ofx\t'OFX 1.x (SGML) or 2.x (XML), QFX'
csv\t'Delimited text, with a profile or detected columns'
camt\t'ISO 20022 CAMT.053 statements, CAMT.052 reports and CAMT.054 notifications'
qif\t'Quicken Interchange Format'
tally\t'tally\'s own `export csv|json|jsonl`'"
complete -c tally -n "__fish_tally_using_subcommand import" -l profile -d 'A CSV profile: built in (us-checking, de-giro) or profiles/NAME.toml beside the config' -r
complete -c tally -n "__fish_tally_using_subcommand import" -l date-order -d 'For CSV dates like 03/04/2026: day first or month first' -r -f -a "dmy\t'03/04/2026 is the 3rd of April'
mdy\t'03/04/2026 is March 4th'"
complete -c tally -n "__fish_tally_using_subcommand import" -l currency -d 'The currency of new accounts and of files that name none (QIF, most CSV)' -r
complete -c tally -n "__fish_tally_using_subcommand import" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand import" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand import" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand import" -l dry-run -d 'Show what would be imported (new, matched, unchanged) and change nothing'
complete -c tally -n "__fish_tally_using_subcommand import" -l create-account -d 'Create the account a file names when tally does not know it (a terminal asks instead)'
complete -c tally -n "__fish_tally_using_subcommand import" -l inspect -d 'Show what tally detects in a CSV file and print a profile to save, instead of importing'
complete -c tally -n "__fish_tally_using_subcommand import" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand import" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand import" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand export" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand export" -l from -d 'Only on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand export" -l to -d 'Only on or before this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand export" -l category -d 'Only this category and those under it (e.g. `Food` or `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand export" -s o -l output -d 'Write to this file (created 0600) instead of stdout' -r -F
complete -c tally -n "__fish_tally_using_subcommand export" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand export" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand export" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand export" -l all -d 'Everything tally holds (connections without secrets, accounts, categories, rules, transactions, transfers, budgets, rates, sync history, raw records) as one JSON document for `tally restore` (docs/export-all.md)'
complete -c tally -n "__fish_tally_using_subcommand export" -l pending -d 'Include pending rows (flagged `!` in a journal)'
complete -c tally -n "__fish_tally_using_subcommand export" -l force -d 'Replace the --output file if it exists'
complete -c tally -n "__fish_tally_using_subcommand export" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand export" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand export" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand restore" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand restore" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand restore" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand restore" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand restore" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand restore" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand purge" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand purge" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand purge" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand purge" -l yes -d 'Do not ask'
complete -c tally -n "__fish_tally_using_subcommand purge" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand purge" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand purge" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand doctor" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand doctor" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand doctor" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand doctor" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand doctor" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand doctor" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand init" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand init" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand init" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand init" -l encrypt -d 'Encrypt the database (SQLCipher) with a key kept in the secret store'
complete -c tally -n "__fish_tally_using_subcommand init" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand init" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand init" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand encrypt" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand encrypt" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand encrypt" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand encrypt" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand encrypt" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand encrypt" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand encrypt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand decrypt" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand decrypt" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand decrypt" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand decrypt" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand decrypt" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand decrypt" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand decrypt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -f -a "list" -d 'List transactions, newest first (removed ones are left out)'
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -f -a "show" -d 'Show everything tally knows about one transaction, including why it was linked or categorized'
complete -c tally -n "__fish_tally_using_subcommand tx; and not __fish_seen_subcommand_from list show categorize" -f -a "categorize" -d 'File transactions under a category: `tally tx categorize 12 13 Food:Coffee`'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l from -d 'Only on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l to -d 'Only on or before this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l search -d 'Only rows whose payee or description contains this text' -r
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l category -d 'Only this category and those under it (e.g. `Food` or `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l limit -d 'At most this many rows, 0 for all (default: 50 in a table, all in CSV and JSON)' -r
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from show" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from show" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from show" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -l search -d 'Every row whose payee or description contains this text, instead of ids' -r
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -l create -d 'Add the category if there is none of that name (a child takes its parent\'s kind)'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -l yes -d 'Do not ask, however many rows --search finds'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand tx; and __fish_seen_subcommand_from categorize" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -f -a "list" -d 'List the category tree with how many transactions each holds (the default)'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -f -a "add" -d 'Add a category (`Food:Snacks` goes under Food)'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -f -a "rename" -d 'Rename a category; its transactions and its children follow it'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -f -a "move" -d 'Move a category (with its children) under another parent, or to the top'
complete -c tally -n "__fish_tally_using_subcommand categories; and not __fish_seen_subcommand_from list add rename move remove" -f -a "remove" -d 'Remove a category; the transactions, rules and budgets filed under it move to another'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -l kind -d 'What it counts as: expense, income or transfer (transfers are left out of spending and income)' -r
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from rename" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from rename" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from rename" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from rename" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from rename" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from rename" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -l top -d 'Make it a top-level category'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from move" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -l into -d 'Where its transactions, rules and budgets go' -r
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand categories; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand categorize" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand categorize" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand categorize" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand categorize" -l dry-run -d 'Show what would change, and change nothing'
complete -c tally -n "__fish_tally_using_subcommand categorize" -l list -d 'List each changed row instead of counts per category'
complete -c tally -n "__fish_tally_using_subcommand categorize" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand categorize" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand categorize" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand categorize" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand review" -l limit -d 'At most this many rows' -r
complete -c tally -n "__fish_tally_using_subcommand review" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand review" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand review" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand review" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand review" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand review" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand review" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand review" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -f -a "spending" -d 'Spending per category (rows) and period (columns), with total, average and share'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -f -a "cashflow" -d 'Income, expenses, net and savings rate per period'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -f -a "networth" -d 'Each account\'s balance at the end of every period, and the total'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -f -a "merchants" -d 'Top payees by spending (or by number of purchases)'
complete -c tally -n "__fish_tally_using_subcommand report; and not __fish_seen_subcommand_from spending cashflow networth merchants trends" -f -a "trends" -d 'This period\'s spending per category against the average of the periods before'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l from -d 'Only on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l to -d 'Only on or before this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l category -d 'Only this category and the ones under it (`Food` includes `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l currency -d 'Only amounts in this currency (ISO code, e.g. EUR)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l convert-to -d 'Convert every amount into this currency with the rates of `tally rates`' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l html -d 'Write one self-contained HTML page (created 0600, nothing fetched from the network) with SVG charts of spending by category over time, cash flow and net worth for these filters, whichever report is asked for; each chart comes with a table of its figures' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l period -d 'The columns\' period' -r -f -a "month\t''
quarter\t''
year\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l depth -d 'Fold subcategories into their parents below this depth (1: `Food`, 2: `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l chart -d 'Draw the report in the terminal: bars and sparklines (colour only on a terminal without NO_COLOR)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l force -d 'Replace the --html file if it exists'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from spending" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l from -d 'Only on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l to -d 'Only on or before this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l category -d 'Only this category and the ones under it (`Food` includes `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l currency -d 'Only amounts in this currency (ISO code, e.g. EUR)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l convert-to -d 'Convert every amount into this currency with the rates of `tally rates`' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l html -d 'Write one self-contained HTML page (created 0600, nothing fetched from the network) with SVG charts of spending by category over time, cash flow and net worth for these filters, whichever report is asked for; each chart comes with a table of its figures' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l period -d 'The columns\' period' -r -f -a "month\t''
quarter\t''
year\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l chart -d 'Draw the report in the terminal: bars and sparklines (colour only on a terminal without NO_COLOR)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l force -d 'Replace the --html file if it exists'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from cashflow" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l from -d 'Only on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l to -d 'Only on or before this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l category -d 'Only this category and the ones under it (`Food` includes `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l currency -d 'Only amounts in this currency (ISO code, e.g. EUR)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l convert-to -d 'Convert every amount into this currency with the rates of `tally rates`' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l html -d 'Write one self-contained HTML page (created 0600, nothing fetched from the network) with SVG charts of spending by category over time, cash flow and net worth for these filters, whichever report is asked for; each chart comes with a table of its figures' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l period -d 'The columns\' period' -r -f -a "month\t''
quarter\t''
year\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l chart -d 'Draw the report in the terminal: bars and sparklines (colour only on a terminal without NO_COLOR)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l force -d 'Replace the --html file if it exists'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from networth" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l from -d 'Only on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l to -d 'Only on or before this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l category -d 'Only this category and the ones under it (`Food` includes `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l currency -d 'Only amounts in this currency (ISO code, e.g. EUR)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l convert-to -d 'Convert every amount into this currency with the rates of `tally rates`' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l html -d 'Write one self-contained HTML page (created 0600, nothing fetched from the network) with SVG charts of spending by category over time, cash flow and net worth for these filters, whichever report is asked for; each chart comes with a table of its figures' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l by -d 'Rank payees by spending or by number of purchases' -r -f -a "spend\t'By net spending, largest first'
count\t'By number of purchases, most first'"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l limit -d 'How many payees per currency (0 for all)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l chart -d 'Draw the report in the terminal: bars and sparklines (colour only on a terminal without NO_COLOR)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l force -d 'Replace the --html file if it exists'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from merchants" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l from -d 'Only on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l to -d 'Only on or before this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l account -d 'Only this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l category -d 'Only this category and the ones under it (`Food` includes `Food:Groceries`)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l currency -d 'Only amounts in this currency (ISO code, e.g. EUR)' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l convert-to -d 'Convert every amount into this currency with the rates of `tally rates`' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l html -d 'Write one self-contained HTML page (created 0600, nothing fetched from the network) with SVG charts of spending by category over time, cash flow and net worth for these filters, whichever report is asked for; each chart comes with a table of its figures' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l period -d 'The columns\' period' -r -f -a "month\t''
quarter\t''
year\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l last -d 'How many periods before this one make the average' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l depth -d 'Fold subcategories into their parents below this depth' -r
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l chart -d 'Draw the report in the terminal: bars and sparklines (colour only on a terminal without NO_COLOR)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l force -d 'Replace the --html file if it exists'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand report; and __fish_seen_subcommand_from trends" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -f -a "set" -d 'Budget AMOUNT a month for CATEGORY (and everything under it)'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -f -a "list" -d 'List the budgets, with the month each holds from'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -f -a "remove" -d 'Remove a category\'s budgets (every month, every currency unless --currency)'
complete -c tally -n "__fish_tally_using_subcommand budget; and not __fish_seen_subcommand_from set list remove status" -f -a "status" -d 'Budgeted, carried, spent, pending, committed and remaining per category, with a bar'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l currency -d 'The currency (ISO code); without it, the one currency of your accounts' -r
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l from -d 'The first month it holds (YYYY-MM), or with --yearly the first year (YYYY); without it, this month (this year)' -r
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l rollover -d 'Carry what is left (or overspent) into the next month (the next year with --yearly)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l yearly -d 'A budget for each calendar year instead of each month'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -l currency -d 'Only the budget in this currency' -r
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -l month -d 'The month (YYYY-MM); without it, this month' -r
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -l over -d 'Exit with status 1 when a category is over its budget (for cron)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand budget; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -f -a "set" -d 'Say what one BASE is worth in QUOTE (`tally rates set EUR USD 1.08`)'
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -f -a "list" -d 'List the stored rates'
complete -c tally -n "__fish_tally_using_subcommand rates; and not __fish_seen_subcommand_from set list import" -f -a "import" -d 'Import rates from a CSV file with the columns base, quote, rate and (optional) date'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -l date -d 'The day the rate holds from (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from import" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from import" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from import" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from import" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rates; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "add" -d 'Add a rule, tried after the existing ones unless --position says otherwise'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "list" -d 'List the rules in the order they are tried'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "remove" -d 'Remove a rule'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "move" -d 'Move a rule to another place in the order'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "test" -d 'Preview the rows a rule would change, changing nothing'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "apply" -d 'Re-apply the rules to every row you have not categorized yourself; prints how many changed'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "export" -d 'Write the rules as TOML (to stdout, or to FILE)'
complete -c tally -n "__fish_tally_using_subcommand rules; and not __fish_seen_subcommand_from add list remove move test apply export import" -f -a "import" -d 'Read rules from a file and add them after the existing ones'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l payee-contains -d 'Rows whose payee contains TEXT (rows without a payee: their description)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l payee-exact -d 'Rows whose payee is exactly TEXT' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l payee-regex -d 'Rows whose payee matches REGEX (Rust regex syntax)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l description-contains -d 'Rows whose bank description contains TEXT' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l description-exact -d 'Rows whose bank description is exactly TEXT' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l description-regex -d 'Rows whose bank description matches REGEX (Rust regex syntax)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l min-amount -d 'Rows of at least this size, in or out (e.g. 10.00)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l max-amount -d 'Rows of at most this size, in or out' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l sign -d 'Only money in or only money out' -r -f -a "in\t'Money in (a positive amount)'
out\t'Money out (a negative amount)'"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l account -d 'Only rows of this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l currency -d 'Only rows in this currency (e.g. EUR)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l category -d 'Give matching rows this category (e.g. Food:Coffee)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l rename-payee -d 'Give matching rows this payee (`rules apply`)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l tag -d 'Add this tag to matching rows (`rules apply`; repeat for more)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l position -d 'Where the rule goes in the order (1 is tried first)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from remove" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from remove" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from remove" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -l to -d 'Its new place (1 is tried first)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from move" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l payee-contains -d 'Rows whose payee contains TEXT (rows without a payee: their description)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l payee-exact -d 'Rows whose payee is exactly TEXT' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l payee-regex -d 'Rows whose payee matches REGEX (Rust regex syntax)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l description-contains -d 'Rows whose bank description contains TEXT' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l description-exact -d 'Rows whose bank description is exactly TEXT' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l description-regex -d 'Rows whose bank description matches REGEX (Rust regex syntax)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l min-amount -d 'Rows of at least this size, in or out (e.g. 10.00)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l max-amount -d 'Rows of at most this size, in or out' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l sign -d 'Only money in or only money out' -r -f -a "in\t'Money in (a positive amount)'
out\t'Money out (a negative amount)'"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l account -d 'Only rows of this account (name or id)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l currency -d 'Only rows in this currency (e.g. EUR)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l category -d 'Give matching rows this category (e.g. Food:Coffee)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l rename-payee -d 'Give matching rows this payee (`rules apply`)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l tag -d 'Add this tag to matching rows (`rules apply`; repeat for more)' -r
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -l dry-run -d 'List what would change, and change nothing'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from apply" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from export" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from export" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from export" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from export" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -l hledger -d 'An hledger CSV rules file instead: its `if` blocks become rules (`account2` names the category, made when missing; `description` or `payee` renames the payee)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand rules; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -f -a "list" -d 'List the transfers found (detected or confirmed) and the suggested ones'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -f -a "confirm" -d 'Make a pair a transfer: a suggested one, or one you unlinked before'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -f -a "unlink" -d 'Say a pair is not a transfer: both rows count as spending and income again, for good'
complete -c tally -n "__fish_tally_using_subcommand transfers; and not __fish_seen_subcommand_from list confirm unlink detect" -f -a "detect" -d 'Look for transfers among every stored row (after an upgrade, `sync --replay`, or a config change)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -l suggested -d 'Only the suggestions waiting for `tally transfers confirm`'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -l all -d 'Also list the pairs you unlinked'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from confirm" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from confirm" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from confirm" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from confirm" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from confirm" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from confirm" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from confirm" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from unlink" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from unlink" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from unlink" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from unlink" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from unlink" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from unlink" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from unlink" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from detect" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from detect" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from detect" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from detect" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from detect" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from detect" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand transfers; and __fish_seen_subcommand_from detect" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand recurring" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand recurring" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand recurring" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand recurring" -l all -d 'Also list series that stopped (their next one is overdue)'
complete -c tally -n "__fish_tally_using_subcommand recurring" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand recurring" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand recurring" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand recurring" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -l since -d 'Only charges on or after this date (YYYY-MM-DD)' -r
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -l days -d 'Only charges of the last N days (default: [alerts] days, 30)' -r
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand alerts; and not __fish_seen_subcommand_from dismiss" -f -a "dismiss" -d 'Hide alerts by their id (the first column); one comes back when what it is about changes (another equal charge, a later month, a new consent date)'
complete -c tally -n "__fish_tally_using_subcommand alerts; and __fish_seen_subcommand_from dismiss" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand alerts; and __fish_seen_subcommand_from dismiss" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand alerts; and __fish_seen_subcommand_from dismiss" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand alerts; and __fish_seen_subcommand_from dismiss" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand alerts; and __fish_seen_subcommand_from dismiss" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand alerts; and __fish_seen_subcommand_from dismiss" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand alerts; and __fish_seen_subcommand_from dismiss" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and not __fish_seen_subcommand_from serve" -f -a "serve" -d 'Serve the sandbox bank on 127.0.0.1 until interrupted (Ctrl-C)'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l port -d 'The port to listen on (0 picks a free one)' -r
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l seed -d 'The seed of the synthetic data: the same seed, the same bank' -r
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l scale -d 'Multiply accounts and history (each step adds four accounts and two years of data)' -r
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -f -a "path" -d 'Print the path of the config file (it may not exist yet)'
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -f -a "show" -d 'Print every setting in effect and where it came from: default < file < env < flag'
complete -c tally -n "__fish_tally_using_subcommand config; and not __fish_seen_subcommand_from path show default" -f -a "default" -d 'Print a commented default config file to start from'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from path" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from path" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from path" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from show" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from show" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from default" -l db -d 'The database file (default: tally.db in the XDG data directory; also TALLY_DB)' -r -F
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from default" -l format -d 'How to print listings: a table for people, CSV or JSON for scripts' -r -f -a "table\t''
csv\t''
json\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from default" -l color -d 'When to color the output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from default" -s v -l verbose -d 'Say more on stderr (repeat for more detail)'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from default" -s q -l quiet -d 'Print nothing but data and errors'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from default" -l no-input -d 'Never prompt; fail with a hint where a choice is needed (implied without a terminal)'
complete -c tally -n "__fish_tally_using_subcommand config; and __fish_seen_subcommand_from default" -s h -l help -d 'Print help'
