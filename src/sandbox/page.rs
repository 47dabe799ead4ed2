//! The sandbox's HTML: the consent page (sign in, tick accounts, approve or deny) and errors.

use super::data::Account;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · Tally Sandbox Bank</title>\
         <style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}label{{display:block;margin:.4em 0}}\
         .error{{color:#b00}}</style></head>\n<body><h1>Tally Sandbox Bank</h1><h2>{t}</h2>\n{body}\n</body></html>\n",
        t = escape(title)
    )
}

pub fn consent(request_id: &str, accounts: &[Account], error: Option<&str>) -> String {
    let mut body = String::new();
    if let Some(e) = error {
        body.push_str(&format!("<p class=\"error\">{}</p>\n", escape(e)));
    }
    body.push_str("<p><b>tally</b> asks to read your accounts, balances and transactions.</p>\n");
    body.push_str("<form method=\"post\" action=\"/authorize\">\n");
    body.push_str(&format!("<input type=\"hidden\" name=\"request_id\" value=\"{}\">\n", escape(request_id)));
    body.push_str(&format!(
        "<label>Username <input name=\"username\" value=\"{}\"></label>\n\
         <label>Password <input type=\"password\" name=\"password\" value=\"{}\"></label>\n<fieldset><legend>Accounts to share</legend>\n",
        super::DEFAULT_USER,
        super::DEFAULT_PASSWORD
    ));
    for a in accounts {
        body.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"account\" value=\"{}\" checked> {} ····{} ({})</label>\n",
            escape(&a.id),
            escape(&a.name),
            escape(&a.mask),
            a.currency
        ));
    }
    body.push_str(
        "</fieldset>\n<button name=\"decision\" value=\"approve\">Approve</button>\n\
         <button name=\"decision\" value=\"deny\">Deny</button>\n</form>",
    );
    layout("Share your accounts with tally?", &body)
}

pub fn error(title: &str, message: &str) -> String {
    layout(title, &format!("<p class=\"error\">{}</p>", escape(message)))
}

pub fn index(issuer: &str) -> String {
    layout(
        "A fake bank for tally",
        &format!(
            "<p>OAuth discovery: <a href=\"{i}/.well-known/openid-configuration\">{i}/.well-known/openid-configuration</a></p>\
             <p>Link it with <code>tally link sandbox</code>.</p>",
            i = escape(issuer)
        ),
    )
}
