//! Integration tests: the real server on port 0 with a temporary data directory and a manual
//! clock, driven over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod account_limits;
mod account_mail;
mod accounts;
mod admin_page;
mod audit_events;
mod audit_integrity;
mod audit_reading;
mod dashboard;
mod errors;
mod exactly_once;
mod harness;
mod hosts;
mod languages;
mod lifecycle;
mod limits;
mod mail_delivery;
mod metrics;
mod openapi;
mod pages;
mod passphrase;
mod quotas;
mod rate_limits;
mod routes;
mod second_factor;
mod team_join;
mod team_secrets;
mod teams;
mod unsubscribe;
mod v2;
mod viewers;
mod web;
mod web_accounts;
mod webhook_pages;
mod webhooks;
