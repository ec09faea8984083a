//! One function per client command.

use super::input;
use super::output::{self, when, Failure};
use super::settings::Settings;
use super::{ClientCommand, Common, PassphraseArgs};
use lethe_client::{Client, ClientError, GenerateOptions, ReceiptLink, SecretLink, ShareOptions, Shared};
use std::io::{IsTerminal, Write};
use zeroize::Zeroizing;

pub async fn run(cmd: ClientCommand) -> Result<(), Failure> {
    match cmd {
        ClientCommand::Share { text, file, passphrase, ttl, recipient, note, name, e2e, viewers, common } => {
            let secret = input::secret(text, file.as_deref())?;
            let passphrase = passphrase_of(passphrase)?;
            let client = Settings::load(&common)?.client()?;
            let viewers = viewers.into_viewers();
            let opts = ShareOptions { secret, passphrase, ttl, recipient, note, name, e2e, viewers };
            let shared = client.share(opts).await?;
            print_shared(&shared, &common)
        }
        ClientCommand::Generate {
            length,
            no_lowercase,
            no_uppercase,
            no_digits,
            no_symbols,
            passphrase,
            ttl,
            recipient,
            note,
            name,
            viewers,
            common,
        } => {
            let off = |flag: bool| flag.then_some(false);
            let opts = GenerateOptions {
                length,
                lowercase: off(no_lowercase),
                uppercase: off(no_uppercase),
                digits: off(no_digits),
                symbols: off(no_symbols),
                passphrase: passphrase_of(passphrase)?,
                ttl,
                recipient,
                note,
                name,
                viewers: viewers.into_viewers(),
            };
            let client = Settings::load(&common)?.client()?;
            let shared = client.generate(opts).await?;
            print_shared(&shared, &common)
        }
        ClientCommand::Reveal { link, passphrase, common } => reveal(&link, passphrase, &common).await,
        ClientCommand::Receipt { link, common } => {
            let link = ReceiptLink::parse(&link)?;
            let client = for_link(Settings::load(&common)?.client()?, link.base.as_ref())?;
            print_receipt(&client.receipt(&link).await?, &common)
        }
        ClientCommand::Burn { link, common } => {
            let link = ReceiptLink::parse(&link)?;
            let client = for_link(Settings::load(&common)?.client()?, link.base.as_ref())?;
            let receipt = client.burn(&link).await?;
            if !common.json && !common.quiet {
                eprintln!("The secret was burned: nobody can view it now.");
            }
            print_receipt(&receipt, &common)
        }
        ClientCommand::Recent { common } => {
            let list = Settings::load(&common)?.client()?.recent().await?;
            if common.json {
                return output::json(&list);
            }
            for r in &list {
                println!("{}  {:<9} created {}", r.receipt_key, r.state, when(r.created));
            }
            Ok(())
        }
        ClientCommand::Status { common } => {
            let client = Settings::load(&common)?.client()?;
            let status = client.status().await?;
            if common.json {
                return output::json(&status);
            }
            let state = status["status"].as_str().unwrap_or("unknown");
            println!("{} is {state}", client.base());
            Ok(())
        }
        ClientCommand::Config { common } => {
            let shown = Settings::load(&common)?.shown();
            if common.json {
                return output::json(&shown);
            }
            println!("url:         {}", shown.url);
            println!("api:         {}", shown.api);
            println!("user:        {}", shown.user.as_deref().unwrap_or("(not set)"));
            println!("api key:     {}", shown.api_key);
            let found = if shown.config_file_found { "" } else { " (not found)" };
            println!("config file: {}{found}", shown.config_file.as_deref().unwrap_or("-"));
            Ok(())
        }
    }
}

fn passphrase_of(args: PassphraseArgs) -> Result<Option<Zeroizing<String>>, Failure> {
    if args.passphrase_prompt {
        return input::prompt_passphrase(true).map(Some);
    }
    Ok(args.passphrase.map(Zeroizing::new))
}

/// Links that name their own server are revealed there, whatever the configured URL.
fn for_link(client: Client, base: Option<&url::Url>) -> Result<Client, Failure> {
    match base {
        Some(b) => Ok(client.for_base(b)?),
        None => Ok(client),
    }
}

fn print_shared(s: &Shared, common: &Common) -> Result<(), Failure> {
    if common.json {
        return output::json(s);
    }
    if common.quiet {
        println!("{}", s.share_url);
        return Ok(());
    }
    if let Some(value) = &s.value {
        println!("password: {value}");
        println!("link:     {}", s.share_url);
    } else {
        println!("{}", s.share_url);
    }
    eprintln!("receipt (keep it private): {}", s.receipt_url);
    eprintln!("expires: {}", when(s.expires_at));
    if s.passphrase_required {
        eprintln!("Send the passphrase through another channel than the link.");
    }
    Ok(())
}

fn print_receipt(r: &lethe_client::Receipt, common: &Common) -> Result<(), Failure> {
    if common.json {
        return output::json(&r.raw);
    }
    if common.quiet {
        println!("{}", r.state);
        return Ok(());
    }
    if let Some(name) = &r.name {
        println!("name:    {name}");
    }
    println!("state:   {}", r.state);
    println!("created: {}", when(r.created));
    if r.state == "new" || r.state == "viewed" && r.viewed_at.is_none() {
        println!("expires: {}", when(r.expires_at));
    }
    if r.viewed_at.is_some() {
        println!("viewed:  {}", when(r.viewed_at));
    }
    if r.burned_at.is_some() {
        println!("burned:  {}", when(r.burned_at));
    }
    Ok(())
}

async fn reveal(link: &str, passphrase: Option<String>, common: &Common) -> Result<(), Failure> {
    let link = SecretLink::parse(link)?;
    let client = for_link(Settings::load(common)?.client()?, link.base.as_ref())?;
    let mut passphrase = passphrase.map(Zeroizing::new);
    let revealed = loop {
        match client.reveal(&link, passphrase.as_deref().map(|p| p.as_str())).await {
            Err(ClientError::PassphraseRequired) if passphrase.is_none() && input::interactive() => {
                passphrase = Some(input::prompt_passphrase(false)?);
            }
            other => break other?,
        }
    };
    if common.json {
        return output::json(&serde_json::json!({ "value": revealed.value.as_str(), "e2e": revealed.e2e }));
    }
    let mut out = std::io::stdout().lock();
    let newline = std::io::stdout().is_terminal() && !revealed.value.ends_with('\n');
    out.write_all(revealed.value.as_bytes()).map_err(Failure::other)?;
    if newline {
        out.write_all(b"\n").map_err(Failure::other)?;
    }
    out.flush().map_err(Failure::other)
}
