//! Attachments in S3-compatible object storage. S3 is a cloud API this machine cannot reach, so
//! the test starts moto's S3 server (PyPI `moto[server]`, installed by `.ci/run`), a local
//! implementation of the S3 REST protocol, and checks that the object really lands in the bucket.

use sanad_domain::{
    Channel, EmailAddress, MessageBody, OrgSlug, PersonName, RequesterType, Subject, TicketKind,
    TicketPrefix,
};
use sanad_store::*;
use std::process::{Child, Command, Stdio};

struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python(script: &str) -> String {
    let output = Command::new("python3")
        .args(["-c", script])
        .output()
        .expect("python3 is needed for the S3 test");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto[server] must be installed (see .ci/run)");
    // Held by the guard at once, so the server is killed and reaped even if it never answers.
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return moto;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("moto did not start");
}

fn boto(endpoint: &str, call: &str) -> String {
    python(&format!(
        "import boto3\nc = boto3.client('s3', endpoint_url='{endpoint}', aws_access_key_id='test', aws_secret_access_key='test', region_name='us-east-1')\n{call}"
    ))
}

#[tokio::test]
async fn attachments_are_written_to_and_read_from_an_s3_bucket() {
    let moto = start_moto();
    boto(&moto.endpoint, "c.create_bucket(Bucket='sanad-files')");
    let settings = [
        ("aws_endpoint", moto.endpoint.as_str()),
        ("aws_access_key_id", "test"),
        ("aws_secret_access_key", "test"),
        ("aws_region", "us-east-1"),
        ("aws_allow_http", "true"),
    ];
    let attachments = AttachmentStore::s3("s3://sanad-files/tenant-files", &settings).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}",
        directory.path().join("s3.db").display()
    ))
    .unwrap();
    let store = Store::open(&url, attachments).await.unwrap();
    let org = store
        .create_organization(
            &NewOrganization {
                slug: OrgSlug::parse("s3-org").unwrap(),
                name: "S3".into(),
                ticket_prefix: TicketPrefix::parse("SS").unwrap(),
                time_zone: jiff::tz::TimeZone::UTC,
                time_zone_name: "UTC".into(),
                reopen_window_hours: 24,
            },
            jiff::Timestamp::UNIX_EPOCH,
        )
        .await
        .unwrap();
    let bytes = b"%PDF-1.4 receipt".to_vec();
    let ticket = NewTicket {
        kind: TicketKind::Request,
        channel: Channel::Email,
        subject: Subject::parse("إيصال السداد").unwrap(),
        body: MessageBody::parse("مرفق إيصال السداد").unwrap(),
        category: None,
        requester: NewRequester {
            name: PersonName::parse("Sara").unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse("sara@example.sa").unwrap()),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![NewAttachment {
            filename: "receipt.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: bytes.clone(),
        }],
    };
    let created = store
        .create_ticket(
            &org,
            &ticket,
            None,
            &Actor::System,
            "2026-11-22T08:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    let detail = store
        .ticket_detail(org.id, &created.ticket.number)
        .await
        .unwrap()
        .unwrap();
    let stored = &detail.messages[0].attachments[0];
    assert_eq!(
        store.attachments().get(&stored.storage_key).await.unwrap(),
        bytes
    );
    let keys = boto(
        &moto.endpoint,
        "print('\\n'.join(o['Key'] for o in c.list_objects_v2(Bucket='sanad-files').get('Contents', [])))",
    );
    assert_eq!(
        keys.trim(),
        format!("tenant-files/{}", stored.storage_key),
        "the object is in the bucket under the prefix"
    );
    assert!(AttachmentStore::s3("gs://elsewhere", &[]).is_err());
    assert!(AttachmentStore::s3("s3://bucket", &[("no_such_setting", "x")]).is_err());
}
