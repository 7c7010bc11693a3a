"""Award emails as a worker sends a batch of them: read together, rendered as form
letters, put together as MIME by Laurel itself; each the email its person would get
alone."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.core.mail import EmailMultiAlternatives

from laurel.certificates.factories import make_certificate, make_participant, make_program
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import certificate_award
from laurel.notifications.mail import FormLetters, email_bytes
from laurel.notifications.services import award_email_send
from laurel.notifications.services.emails import award_emails_prepare
from laurel.notifications.services.preferences import unsubscribe_token_read

pytestmark = pytest.mark.django_db

NAMES = ['Ada <Lovelace> & "Co"', "Grace Hopper", "Émilie du Châtelet", "Alan Turing"]


def awarded(names: list[str]) -> list[IssuedCertificate]:
    program = make_program(name="Engineering Mentoring")
    people = [make_participant(program, name=name) for name in names]
    definition = make_certificate(program, threshold=None, enabled=True)
    certificate_award(definition=definition, by=None, participant_ids=[p.pk for p in people])
    return list(IssuedCertificate.objects.order_by("pk"))


def test_a_batch_of_award_emails_is_read_with_two_queries(django_assert_num_queries, mailoutbox):
    awards = awarded(NAMES * 3)

    with django_assert_num_queries(2):
        emails = award_emails_prepare(award_ids=[award.pk for award in awards])
    results = [email() for email in emails]

    assert results == [{"sent_award_id": award.pk} for award in awards]
    assert [m.to[0] for m in mailoutbox] == [award.user.email for award in awards]


def test_each_email_of_a_batch_is_its_own_persons(mailoutbox):
    awards = awarded(NAMES)
    private = awards[3]
    IssuedCertificate.objects.filter(pk=private.pk).update(is_public=False)

    for email in award_emails_prepare(award_ids=[award.pk for award in awards]):
        email()

    assert len(mailoutbox) == 4
    for award, message in zip(awards, mailoutbox, strict=True):
        html = message.alternatives[0][0]
        assert f"Congratulations, {award.recipient_name}!" in message.body
        assert f"/c/{award.public_id}" in message.body and f"/c/{award.public_id}" in html
        token = message.extra_headers["List-Unsubscribe"].rsplit("/", 1)[1].rstrip(">")
        assert unsubscribe_token_read(token) == (award.user_id, "award")
        assert token in message.body and token in html
    ada = mailoutbox[0].alternatives[0][0]
    assert "Congratulations, Ada &lt;Lovelace&gt; &amp; &quot;Co&quot;!" in ada
    assert "<Lovelace>" not in ada
    assert f"/c/{awards[0].public_id}.png" in ada
    # The private certificate has no image, and no link to share it.
    assert ".png" not in mailoutbox[3].alternatives[0][0]
    assert "linkedin" not in mailoutbox[3].body


def test_a_batch_sends_what_one_email_alone_would(mailoutbox, monkeypatch):
    awards = awarded(NAMES)
    for email in award_emails_prepare(award_ids=[award.pk for award in awards]):
        email()
    batch = [(m.subject, m.body, m.alternatives[0][0]) for m in mailoutbox]
    mailoutbox.clear()
    # Each rendered in full, alone: a new set of letters has not seen its certificate.
    for award in awards:
        monkeypatch.setattr(
            "laurel.notifications.services.emails.AWARD_LETTERS",
            FormLetters("certificate_awarded", personal=("name", "id", "unsubscribe")),
        )
        award_email_send(award_id=award.pk)
    alone = [(m.subject, m.body, m.alternatives[0][0]) for m in mailoutbox]

    tokens = [m.extra_headers["List-Unsubscribe"] for m in mailoutbox]
    assert len(set(tokens)) == 4
    assert batch == alone


@pytest.fixture
def letter_templates(settings, tmp_path):
    folder = tmp_path / "notifications" / "email"
    folder.mkdir(parents=True)
    (folder / "letter_subject.txt").write_text("Hello {{ name }}")
    (folder / "letter.txt").write_text("{% autoescape off %}Dear {{ name }}{% endautoescape %}")
    (folder / "letter.html").write_text("<p>Dear {{ name }}</p>")
    (folder / "shouting.txt").write_text(
        "{% autoescape off %}DEAR {{ name|upper }}{% endautoescape %}"
    )
    (folder / "shouting_subject.txt").write_text("Hello")
    (folder / "shouting.html").write_text("<p>Dear {{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]


def render(letters: FormLetters, name: str):
    return letters.render(
        shared="one", personal={"name": name}, context=lambda: {"name": name},
        letter_context=lambda values: {"name": values["name"]},
    )  # fmt: skip


def test_a_form_letter_fills_in_each_value_as_the_template_would_render_it(letter_templates):
    letters = FormLetters("letter", personal=("name",))

    first, second = render(letters, "Ada"), render(letters, 'Bob <b>"&"</b>')

    assert (first.subject, first.text, first.html) == ("Hello Ada", "Dear Ada", "<p>Dear Ada</p>")
    assert second.text == 'Dear Bob <b>"&"</b>'
    assert second.html == "<p>Dear Bob &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;</p>"


def test_a_template_that_changes_a_value_is_rendered_in_full_for_everyone(letter_templates):
    letters = FormLetters("shouting", personal=("name",))

    assert render(letters, "Ada").text == "DEAR ADA"
    assert render(letters, "Bob").text == "DEAR BOB"


def test_email_bytes_are_the_mime_a_mail_reader_expects():
    message = EmailMultiAlternatives(
        subject="Your certificate “Très bien” is here",
        body="Hello Zoë\n" + "x" * 1200 + "\n",
        from_email='"Ünïcode Org, Ltd" <certificates@laurel.example.org>',
        to=["zoe@example.org"],
        headers={"List-Unsubscribe": "<https://laurel.example.org/email/unsubscribe/t>"},
    )
    message.attach_alternative("<p>Hello Zoë</p>", "text/html")

    data = email_bytes(message)

    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    parsed = message_from_bytes(data, policy=policy.default)
    assert parsed["Subject"] == "Your certificate “Très bien” is here"
    assert parsed["From"].addresses[0].display_name == "Ünïcode Org, Ltd"
    assert parsed["From"].addresses[0].addr_spec == "certificates@laurel.example.org"
    assert parsed["To"] == "zoe@example.org"
    assert parsed["List-Unsubscribe"] == "<https://laurel.example.org/email/unsubscribe/t>"
    assert parsed["Message-ID"] and parsed["Date"]
    # The parts read as those of the email Django's own generator puts together.
    django = message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=policy.default)
    for kind in ("plain", "html"):
        ours, theirs = parsed.get_body((kind,)), django.get_body((kind,))
        assert ours is not None and theirs is not None
        assert ours.get_content() == theirs.get_content()
        assert ours["Content-Transfer-Encoding"] == theirs["Content-Transfer-Encoding"]
        assert ours.get_content_charset() == "utf-8"
    assert "Hello Zoë" in str(parsed.get_body(("plain",)).get_content())  # type: ignore[union-attr]
