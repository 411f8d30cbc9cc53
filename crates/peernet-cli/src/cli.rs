//! The command-line grammar, as `docs/CLI.md` documents it. Other tools and scripts are
//! written against these names and flags.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// peernet: Windows Peer-to-Peer identities and group credentials on any OS.
#[derive(Debug, Parser)]
#[command(
    name = "peernet",
    version,
    about = "Windows Peer-to-Peer identities and group credentials (p2p.h Identity Manager and Grouping) on any OS",
    long_about = None,
    propagate_version = true
)]
#[command(
    after_help = "Example:\n  peernet demo\n  peernet --store ./a identity create --classifier Alice\n  peernet --store ./a --json identity list\n\nEvery command, flag, JSON shape and exit code: docs/CLI.md"
)]
pub struct Cli {
    /// Store directory (default: $PEERNET_HOME, else the platform data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Print one JSON object per result (stable field names, see docs/CLI.md).
    #[arg(long, global = true)]
    pub json: bool,
    /// Quiet: no progress bars and no informational lines.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Identities: create, list, export, import, … (PeerIdentity*).
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  peernet identity create --classifier Alice\n  peernet identity list"
    )]
    Identity(IdentityCommand),
    /// Make a peer name from an identity and a classifier (PeerCreatePeerName).
    #[command(
        after_help = "Example:\n  peernet peername 6520c005f63fc1864b7d8f3cabebd4916ae7f33d.Alice Chat"
    )]
    Peername {
        /// The identity whose authority is used; `0` for an unsecured name.
        identity: String,
        /// The classifier of the new name.
        classifier: String,
    },
    /// Groups: create, open, invite, join, export and import configurations (PeerGroup*).
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  peernet group create --identity \"$ID\" --classifier Chat\n  peernet group list"
    )]
    Group(GroupCommand),
    /// PNRP clouds known to this store.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  peernet cloud list")]
    Cloud(CloudCommand),
    /// Group records: add, list, get, update, delete, search, export, import (PeerGroup*Record*).
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  peernet record add --identity \"$ID\" \"$GROUP\" --type 7a7a0001-0001-0002-0102-030405060708 --data hello\n  peernet record list --identity \"$ID\" \"$GROUP\""
    )]
    Record(RecordCommand),
    /// The store's network node: run it, show it, stop it, set its listen addresses.
    #[command(subcommand)]
    #[command(after_help = "Example:\n  peernet node status\n  peernet node run --service")]
    Node(NodeCommand),
    /// Chat in a group as the Windows SDK GroupChat sample does: messages as records,
    /// whispers over direct connections (`/w MEMBER TEXT`, `/members`, `/quit`).
    #[command(
        after_help = "Example:\n  peernet chat --identity \"$ID\" \"$GROUP\"\n  peernet chat --identity \"$ID\" \"$GROUP\" --address 127.0.0.1:3587"
    )]
    Chat {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// Dial these members instead of same-machine discovery (repeatable).
        #[arg(long = "address", value_name = "HOST:PORT")]
        addresses: Vec<String>,
    },
    /// The whole story in a temporary pair of stores standing for two computers.
    #[command(after_help = "Example:\n  peernet demo --keep ./demo-run")]
    Demo {
        /// Keep the two stores and the exchanged files in DIR instead of deleting them.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
}

/// Key and certificate profile of a new identity or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileArg {
    /// ECDSA P-256 with SHA-256, PBES2/AES-256 exports (default).
    Modern,
    /// RSA-1024 with SHA-1, exactly as Windows and MS-PNRP make them.
    Windows,
}

/// A group role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// PEER_GROUP_ROLE_MEMBER.
    Member,
    /// PEER_GROUP_ROLE_ADMIN.
    Admin,
    /// PEER_GROUP_ROLE_INVITING_MEMBER.
    Inviting,
}

/// The role given to password joiners.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PasswordRoleArg {
    /// PEER_GROUP_ROLE_MEMBER.
    Member,
    /// PEER_GROUP_ROLE_ADMIN.
    Admin,
}

/// PNRP scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// PNRP_GLOBAL_SCOPE.
    Global,
    /// PNRP_SITE_LOCAL_SCOPE.
    Sitelocal,
    /// PNRP_LINK_LOCAL_SCOPE.
    Linklocal,
}

/// `--passin` and the output file options shared by several commands.
#[derive(Debug, Args, Clone, Default)]
pub struct PassIn {
    /// Password source: pass:TEXT, env:VAR, file:PATH, fd:N or stdin (else a prompt on a terminal).
    #[arg(long, value_name = "SPEC")]
    pub passin: Option<String>,
}

/// Output file options.
#[derive(Debug, Args, Clone, Default)]
pub struct Output {
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
    /// Write UTF-16LE without a byte-order mark (what the Windows SDK GroupChat sample
    /// reads) instead of UTF-8.
    #[arg(long)]
    pub utf16: bool,
}

/// `peernet identity …`
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Create an identity; prints its peer name (PeerIdentityCreate).
    #[command(
        after_help = "Example:\n  peernet identity create --classifier Alice --friendly-name \"Alice's laptop\""
    )]
    Create {
        /// Classifier of the identity's peer name (at most 149 characters).
        #[arg(long)]
        classifier: String,
        /// Friendly name (default: the peer name).
        #[arg(long)]
        friendly_name: Option<String>,
        /// Key and certificate profile.
        #[arg(long, value_enum, default_value_t = ProfileArg::Modern)]
        profile: ProfileArg,
    },
    /// List identities (PeerEnumIdentities).
    #[command(after_help = "Example:\n  peernet --json identity list")]
    List,
    /// Show one identity.
    #[command(after_help = "Example:\n  peernet identity show \"$ID\"")]
    Show {
        /// Identity peer name.
        name: String,
    },
    /// Delete an identity; its groups must be deleted first (PeerIdentityDelete).
    #[command(after_help = "Example:\n  peernet identity delete \"$ID\"")]
    Delete {
        /// Identity peer name.
        name: String,
    },
    /// Set the friendly name; an empty string resets it (PeerIdentitySetFriendlyName).
    #[command(after_help = "Example:\n  peernet identity rename \"$ID\" \"Alice (work)\"")]
    Rename {
        /// Identity peer name.
        name: String,
        /// New friendly name.
        friendly: String,
    },
    /// Show the default identity, creating it on first use, or set it (PeerIdentityGetDefault).
    #[command(after_help = "Example:\n  peernet identity default \"$ID\"")]
    Default {
        /// Make this identity the default.
        name: Option<String>,
    },
    /// Export an identity with its private key as PEERIDENTITYEXPORT XML (PeerIdentityExport).
    #[command(
        after_help = "Example:\n  peernet identity export \"$ID\" --passin env:EXPORT_PW -o alice.xml"
    )]
    Export {
        /// Identity peer name.
        name: String,
        /// Password source.
        #[command(flatten)]
        passin: PassIn,
        /// Output file.
        #[command(flatten)]
        output: Output,
    },
    /// Import a PEERIDENTITYEXPORT document; prints the peer name (PeerIdentityImport).
    #[command(
        after_help = "Example:\n  peernet --store ./b identity import alice.xml --passin env:EXPORT_PW"
    )]
    Import {
        /// The file, or - for standard input.
        file: PathBuf,
        /// Password source.
        #[command(flatten)]
        passin: PassIn,
    },
    /// Print the public PEERIDENTITYINFO document an inviter needs (PeerIdentityGetXML).
    #[command(after_help = "Example:\n  peernet identity info \"$ID\" -o alice-info.xml")]
    Info {
        /// Identity peer name.
        name: String,
        /// Output file.
        #[command(flatten)]
        output: Output,
    },
}

/// `peernet group …`
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group owned by an identity; prints the group peer name (PeerGroupCreate).
    #[command(
        after_help = "Example:\n  peernet group create --identity \"$ID\" --classifier Chat --friendly-name \"Team chat\""
    )]
    Create {
        /// Creator identity.
        #[arg(long)]
        identity: String,
        /// Classifier of the group peer name.
        #[arg(long)]
        classifier: String,
        /// Friendly name.
        #[arg(long)]
        friendly_name: Option<String>,
        /// Cloud (default Global_).
        #[arg(long)]
        cloud: Option<String>,
        /// Key and certificate profile (default: the identity's).
        #[arg(long, value_enum)]
        profile: Option<ProfileArg>,
        /// Enable password joins with this role; the password comes from --passin.
        #[arg(long, value_enum)]
        password_role: Option<PasswordRoleArg>,
        /// Group password source (with --password-role).
        #[command(flatten)]
        passin: PassIn,
    },
    /// List groups, of one identity or of all (PeerEnumGroups).
    #[command(after_help = "Example:\n  peernet group list --identity \"$ID\"")]
    List {
        /// Only this identity's groups.
        #[arg(long)]
        identity: Option<String>,
    },
    /// Show a group's properties and membership.
    #[command(after_help = "Example:\n  peernet group show --identity \"$ID\" \"$GROUP\"")]
    Show {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
    },
    /// Delete this identity's local data for a group (PeerGroupDelete).
    #[command(after_help = "Example:\n  peernet group delete --identity \"$ID\" \"$GROUP\"")]
    Delete {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
    },
    /// Open a group, resolving its cloud; prints its properties (PeerGroupOpen).
    #[command(after_help = "Example:\n  peernet group open --identity \"$ID\" \"$GROUP\"")]
    Open {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// Cloud to use instead of the recorded one.
        #[arg(long)]
        cloud: Option<String>,
    },
    /// Invite an identity (its PEERIDENTITYINFO) into the group (PeerGroupCreateInvitation).
    #[command(
        after_help = "Example:\n  peernet group invite --identity \"$ID\" \"$GROUP\" --invitee bob-info.xml --role member --expires 15d -o bob-invite.xml"
    )]
    Invite {
        /// Issuing identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// The invitee's PEERIDENTITYINFO file.
        #[arg(long, value_name = "INFO.xml")]
        invitee: PathBuf,
        /// Role(s) to grant (default member).
        #[arg(long = "role", value_enum)]
        roles: Vec<RoleArg>,
        /// Lifetime such as 30m, 12h, 15d, 1y (default: the issuer's remaining lifetime).
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_duration)]
        expires: Option<Duration>,
        /// Output file.
        #[command(flatten)]
        output: Output,
    },
    /// Create a password invitation (PeerGroupCreatePasswordInvitation).
    #[command(
        after_help = "Example:\n  peernet group password-invite --identity \"$ID\" \"$GROUP\" -o chat-pw-invite.xml"
    )]
    PasswordInvite {
        /// Issuing identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// Output file.
        #[command(flatten)]
        output: Output,
    },
    /// Decode an invitation (PeerGroupParseInvitation).
    #[command(after_help = "Example:\n  peernet group parse-invitation bob-invite.xml")]
    ParseInvitation {
        /// The invitation file, or - for standard input.
        file: PathBuf,
    },
    /// Join a group with an invitation (PeerGroupJoin / PeerGroupPasswordJoin).
    #[command(
        after_help = "Example:\n  peernet --store ./b group join --identity \"$BOB\" bob-invite.xml"
    )]
    Join {
        /// Joining identity.
        #[arg(long)]
        identity: String,
        /// The invitation file, or - for standard input.
        invitation: PathBuf,
        /// Cloud to use instead of the invitation's.
        #[arg(long)]
        cloud: Option<String>,
        /// Group password source, for a password invitation.
        #[command(flatten)]
        passin: PassIn,
    },
    /// Issue credentials (a GMC) to an identity (PeerGroupIssueCredentials).
    #[command(
        after_help = "Example:\n  peernet group issue --identity \"$ID\" \"$GROUP\" --subject bob-info.xml --role inviting --expires 1y -o bob-renewal.xml"
    )]
    Issue {
        /// Issuing identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// The subject's PEERIDENTITYINFO file.
        #[arg(long, value_name = "INFO.xml")]
        subject: PathBuf,
        /// Role(s) to grant (default member).
        #[arg(long = "role", value_enum)]
        roles: Vec<RoleArg>,
        /// Lifetime such as 30m, 12h, 15d, 1y.
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_duration)]
        expires: Option<Duration>,
        /// Publish the credentials in the group database (PEER_GROUP_STORE_CREDENTIALS).
        #[arg(long)]
        store_credentials: bool,
        /// Output file for the invitation.
        #[command(flatten)]
        output: Output,
    },
    /// Export this identity's configuration of a group as PEERGROUPCONFIG (PeerGroupExportConfig).
    #[command(
        after_help = "Example:\n  peernet group export-config --identity \"$ID\" \"$GROUP\" --passin env:EXPORT_PW -o chat-config.xml"
    )]
    ExportConfig {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// Password source.
        #[command(flatten)]
        passin: PassIn,
        /// Output file.
        #[command(flatten)]
        output: Output,
    },
    /// List the members known to the group database (PeerGroupEnumMembers).
    #[command(after_help = "Example:\n  peernet group members --identity \"$ID\" \"$GROUP\"")]
    Members {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
    },
    /// Connect the group through the store's node and wait until connected
    /// (PeerGroupConnect / PeerGroupConnectByAddress). The node keeps the group
    /// connected after this command exits, until `group disconnect` or `node stop`.
    #[command(
        after_help = "Example:\n  peernet group connect --identity \"$ID\" \"$GROUP\"\n  peernet group connect --identity \"$ID\" \"$GROUP\" --address 127.0.0.1:3587 --timeout 10s"
    )]
    Connect {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// Dial these members instead of same-machine discovery (repeatable).
        #[arg(long = "address", value_name = "HOST:PORT")]
        addresses: Vec<String>,
        /// Give up after this long (default 30s).
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_duration)]
        timeout: Option<Duration>,
        /// Also the creator waits for a first connection (it listens at once otherwise).
        #[arg(long)]
        wait: bool,
    },
    /// End `group connect`: the node leaves the group unless a process still holds it.
    #[command(after_help = "Example:\n  peernet group disconnect --identity \"$ID\" \"$GROUP\"")]
    Disconnect {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
    },
    /// The group's status: listening, has connections, membership (PeerGroupGetStatus).
    #[command(after_help = "Example:\n  peernet group status --identity \"$ID\" \"$GROUP\"")]
    Status {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
    },
    /// Direct connections to members: open, send, close (PeerGroupOpenDirectConnection,
    /// PeerGroupSendData, PeerGroupCloseDirectConnection).
    #[command(subcommand)]
    #[command(
        after_help = "Example:\n  peernet group direct send --identity \"$ID\" \"$GROUP\" --to \"$MEMBER\" hello"
    )]
    Direct(DirectCommand),
    /// The group's neighbor and direct connections (PeerGroupEnumConnections).
    #[command(after_help = "Example:\n  peernet group connections --identity \"$ID\" \"$GROUP\"")]
    Connections {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
    },
    /// Print the group's events as JSON lines until interrupted (PeerGroupRegisterEvent).
    #[command(
        after_help = "Example:\n  peernet group watch --identity \"$ID\" \"$GROUP\"\n  peernet group watch --identity \"$ID\" \"$GROUP\" --event record --count 10 --timeout 1m"
    )]
    Watch {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// Event types (default: all), repeatable.
        #[arg(long = "event", value_enum)]
        events: Vec<EventArg>,
        /// Only record events of this record type.
        #[arg(long = "type", value_name = "GUID")]
        record_type: Option<String>,
        /// Stop after N events.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
        /// Stop after this long (e.g. 30s, 10m).
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_duration)]
        timeout: Option<Duration>,
    },
    /// Import a PEERGROUPCONFIG; the identity must exist first (PeerGroupImportConfig).
    #[command(
        after_help = "Example:\n  peernet --store ./b group import-config chat-config.xml --passin env:EXPORT_PW"
    )]
    ImportConfig {
        /// The file, or - for standard input.
        file: PathBuf,
        /// Password source.
        #[command(flatten)]
        passin: PassIn,
        /// Replace an existing configuration.
        #[arg(long)]
        overwrite: bool,
    },
}

/// `peernet group direct …`
#[derive(Debug, Subcommand)]
pub enum DirectCommand {
    /// Send one message: on a direct connection opened for it and closed after, or on
    /// an existing connection (neighbor or direct).
    #[command(
        after_help = "Example:\n  peernet group direct send --identity \"$ID\" \"$GROUP\" --to \"$MEMBER\" hello\n  peernet group direct send --identity \"$ID\" \"$GROUP\" --connection 1 --file photo.jpg"
    )]
    Send {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// The member to send to (its identity peer name).
        #[arg(long, conflicts_with = "connection")]
        to: Option<String>,
        /// Dial this address when the node has no connection with the member.
        #[arg(long, value_name = "HOST:PORT")]
        address: Option<String>,
        /// An existing connection (from `group connections`).
        #[arg(long, value_name = "ID")]
        connection: Option<u64>,
        /// Data type GUID (default: GroupChat's whisper type).
        #[arg(long = "type", value_name = "GUID")]
        data_type: Option<String>,
        /// Send this file's bytes instead of TEXT.
        #[arg(long, value_name = "FILE", conflicts_with = "text")]
        file: Option<PathBuf>,
        /// The text to send (UTF-8).
        text: Option<String>,
    },
    /// Open a direct connection and send each line of standard input until it ends.
    #[command(
        after_help = "Example:\n  echo hi | peernet group direct open --identity \"$ID\" \"$GROUP\" --to \"$MEMBER\""
    )]
    Open {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// The member (its identity peer name).
        #[arg(long)]
        to: String,
        /// Dial this address when the node has no connection with the member.
        #[arg(long, value_name = "HOST:PORT")]
        address: Option<String>,
        /// Data type GUID (default: GroupChat's whisper type).
        #[arg(long = "type", value_name = "GUID")]
        data_type: Option<String>,
    },
    /// Close a direct connection of the group (either side's).
    #[command(
        after_help = "Example:\n  peernet group direct close --identity \"$ID\" \"$GROUP\" 281474976710656"
    )]
    Close {
        /// Member identity.
        #[arg(long)]
        identity: String,
        /// Group peer name.
        group: String,
        /// The connection id (from `group connections`).
        connection: u64,
    },
}

/// `peernet node …`
#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Run the store's node in the foreground (the first connect of any process starts
    /// one on demand; this is for a service manager or a terminal).
    #[command(
        after_help = "Example:\n  peernet node run --service\n  peernet node run --listen 127.0.0.1:0"
    )]
    Run {
        /// Listen on these addresses instead of the store's setting (repeatable).
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Vec<std::net::SocketAddr>,
        /// Keep running without groups (a service); otherwise exit when idle.
        #[arg(long)]
        service: bool,
        /// Started on demand by a connect (exits when idle; the default without --service).
        #[arg(long, hide = true)]
        on_demand: bool,
        /// How long to stay up without groups (default 30s; not with --service).
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_duration)]
        idle_exit: Option<Duration>,
    },
    /// Show the running node: pid, PeerId, addresses and groups (exit 0 either way).
    #[command(after_help = "Example:\n  peernet --json node status")]
    Status,
    /// Stop the running node; every group of the store loses its connections.
    #[command(after_help = "Example:\n  peernet node stop")]
    Stop,
    /// Set the addresses the store's node listens on (used from its next start).
    #[command(
        after_help = "Example:\n  peernet node listen 127.0.0.1:3587 [::1]:3587\n  peernet node listen --default"
    )]
    Listen {
        /// Socket addresses.
        #[arg(value_name = "ADDR:PORT", required_unless_present = "default")]
        addresses: Vec<std::net::SocketAddr>,
        /// Back to the default (all interfaces, TCP 3587).
        #[arg(long, conflicts_with = "addresses")]
        default: bool,
    },
}

/// The event types `group watch` can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventArg {
    /// PEER_GROUP_EVENT_RECORD_CHANGED.
    Record,
    /// PEER_GROUP_EVENT_MEMBER_CHANGED.
    Member,
    /// PEER_GROUP_EVENT_PROPERTY_CHANGED.
    Property,
    /// PEER_GROUP_EVENT_STATUS_CHANGED.
    Status,
    /// PEER_GROUP_EVENT_NEIGHBOR_CONNECTION.
    Connection,
    /// PEER_GROUP_EVENT_CONNECTION_FAILED.
    ConnectionFailed,
    /// PEER_GROUP_EVENT_AUTHENTICATION_FAILED.
    AuthenticationFailed,
    /// PEER_GROUP_EVENT_DIRECT_CONNECTION (registering it accepts members' direct
    /// connections).
    Direct,
    /// PEER_GROUP_EVENT_INCOMING_DATA.
    Data,
}

/// `ID GROUP` of the record commands.
#[derive(Debug, Args, Clone)]
pub struct GroupRef {
    /// Member identity.
    #[arg(long)]
    pub identity: String,
    /// Group peer name.
    pub group: String,
}

/// The payload and attributes of a record.
#[derive(Debug, Args, Clone, Default)]
pub struct RecordContent {
    /// Attribute XML (`<attributes><attribute name="n" type="int">1</attribute></attributes>`).
    #[arg(long, value_name = "XML", conflicts_with = "attributes_file")]
    pub attributes: Option<String>,
    /// Attribute XML from a file, or - for standard input.
    #[arg(long, value_name = "FILE")]
    pub attributes_file: Option<PathBuf>,
    /// Payload as text (UTF-8).
    #[arg(long, value_name = "TEXT", conflicts_with = "data_file")]
    pub data: Option<String>,
    /// Payload from a file (raw bytes), or - for standard input.
    #[arg(long, value_name = "FILE")]
    pub data_file: Option<PathBuf>,
}

/// `peernet record …`
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Publish a record signed by the identity; prints its id (PeerGroupAddRecord).
    #[command(
        after_help = "Example:\n  peernet record add --identity \"$ID\" \"$GROUP\" --type 7a7a0001-0001-0002-0102-030405060708 --attributes '<attributes><attribute name=\"topic\" type=\"string\">news</attribute></attributes>' --data hello --expires 1d"
    )]
    Add {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// Record type GUID (`{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`, braces optional).
        #[arg(long = "type", value_name = "GUID")]
        record_type: String,
        /// Attributes and payload.
        #[command(flatten)]
        content: RecordContent,
        /// Lifetime such as 30m, 12h, 15d (default 1d; at most the identity's membership).
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_duration)]
        expires: Option<Duration>,
    },
    /// List records, all or of one type (PeerGroupEnumRecords).
    #[command(after_help = "Example:\n  peernet record list --identity \"$ID\" \"$GROUP\"")]
    List {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// Only records of this type.
        #[arg(long = "type", value_name = "GUID")]
        record_type: Option<String>,
    },
    /// Show one record (PeerGroupGetRecord).
    #[command(
        after_help = "Example:\n  peernet record get --identity \"$ID\" \"$GROUP\" \"$RECORD\""
    )]
    Get {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// Record id GUID.
        record: String,
    },
    /// Replace a record's attributes, payload or expiration; what is not given is kept (PeerGroupUpdateRecord).
    #[command(
        after_help = "Example:\n  peernet record update --identity \"$ID\" \"$GROUP\" \"$RECORD\" --data 'new text' --expires 2d"
    )]
    Update {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// Record id GUID.
        record: String,
        /// New attributes and/or payload.
        #[command(flatten)]
        content: RecordContent,
        /// New lifetime from now (may only extend the expiration).
        #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse_duration)]
        expires: Option<Duration>,
    },
    /// Delete a record (PeerGroupDeleteRecord).
    #[command(
        after_help = "Example:\n  peernet record delete --identity \"$ID\" \"$GROUP\" \"$RECORD\""
    )]
    Delete {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// Record id GUID.
        record: String,
    },
    /// Search records with a `peersearch` query document (PeerGroupSearchRecords).
    #[command(
        about = "Search records with a <peersearch> query (PeerGroupSearchRecords).",
        after_help = "Example:\n  peernet record search --identity \"$ID\" \"$GROUP\" '<peersearch><clause attrib=\"topic\" type=\"string\">new*</clause></peersearch>'"
    )]
    Search {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// The query XML, or @FILE to read it from a file (@- for standard input).
        query: String,
    },
    /// Write the group's record database to a file (PeerGroupExportDatabase).
    #[command(
        after_help = "Example:\n  peernet record export --identity \"$ID\" \"$GROUP\" chat.pndb"
    )]
    Export {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// Output file.
        file: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Replace the group's records and members with an exported database (PeerGroupImportDatabase).
    #[command(
        after_help = "Example:\n  peernet record import --identity \"$ID\" \"$GROUP\" chat.pndb"
    )]
    Import {
        /// Identity and group.
        #[command(flatten)]
        at: GroupRef,
        /// The file written by `record export` for the same identity and group.
        file: PathBuf,
    },
}

/// `peernet cloud …`
#[derive(Debug, Subcommand)]
pub enum CloudCommand {
    /// List clouds.
    #[command(after_help = "Example:\n  peernet cloud list")]
    List,
    /// Add a cloud.
    #[command(
        after_help = "Example:\n  peernet cloud add LinkLocal_{78563412-BC9A-F0DE-0FED-CBA987654321} --scope linklocal --scope-id 8 --private"
    )]
    Add {
        /// Cloud name.
        name: String,
        /// Scope.
        #[arg(long, value_enum)]
        scope: ScopeArg,
        /// Scope id (interface or site index).
        #[arg(long, default_value_t = 0)]
        scope_id: u32,
        /// The name is meaningful only on this machine (PNRP_CLOUD_NAME_LOCAL).
        #[arg(long)]
        private: bool,
    },
    /// Remove a cloud (Global_ cannot be removed).
    #[command(
        after_help = "Example:\n  peernet cloud remove LinkLocal_{78563412-BC9A-F0DE-0FED-CBA987654321}"
    )]
    Remove {
        /// Cloud name.
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn contract_examples_parse() {
        let ok = [
            "peernet identity create --classifier C --friendly-name F --profile windows",
            "peernet --store /tmp/s --json identity list",
            "peernet identity export N --passin pass:x -o f.xml --force",
            "peernet identity import - --passin stdin",
            "peernet peername ID CL",
            "peernet group create --identity I --classifier C --cloud Global_ --profile modern --password-role member --passin env:P",
            "peernet group invite --identity I G --invitee i.xml --role member --role admin --expires 15d -o x",
            "peernet group join --identity I inv.xml --cloud X --passin fd:3",
            "peernet group issue --identity I G --subject s.xml --role inviting --store-credentials",
            "peernet group import-config f.xml --passin file:p --overwrite",
            "peernet cloud add N --scope linklocal --scope-id 3 --private",
            "peernet -q demo --keep d",
            "peernet group issue --identity I G --subject s.xml --expires 1d12h",
        ];
        for line in ok {
            Cli::try_parse_from(line.split(' ')).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        assert!(Cli::try_parse_from(["peernet", "identity", "create"]).is_err());
        assert!(Cli::try_parse_from(["peernet", "cloud", "add", "N", "--scope", "moon"]).is_err());
        assert!(Cli::try_parse_from(["peernet", "record", "list"]).is_err());
        for line in [
            "peernet record add --identity I G --type 7a7a0001-0001-0002-0102-030405060708 --data x --expires 1d",
            "peernet record add --identity I G --type {7a7a0001-0001-0002-0102-030405060708} --attributes-file a.xml --data-file -",
            "peernet record list --identity I G --type 7a7a0001-0001-0002-0102-030405060708",
            "peernet record get --identity I G R",
            "peernet record update --identity I G R --data y --expires 2d",
            "peernet record delete --identity I G R",
            "peernet record search --identity I G @q.xml",
            "peernet record export --identity I G f.pndb --force",
            "peernet record import --identity I G f.pndb",
            "peernet group members --identity I G",
            "peernet group watch --identity I G --event record --event member --count 3 --timeout 10s",
        ] {
            Cli::try_parse_from(line.split(' ')).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        assert!(
            Cli::try_parse_from(
                "peernet record add --identity I G --type T --data x --data-file f".split(' ')
            )
            .is_err()
        );
        assert!(
            Cli::try_parse_from([
                "peernet",
                "group",
                "invite",
                "--identity",
                "I",
                "G",
                "--invitee",
                "x",
                "--expires",
                "soon"
            ])
            .is_err()
        );
    }
}
