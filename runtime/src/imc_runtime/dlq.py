"""Dead letters: list, show, replay and purge what a consumer group could not handle.

``python -m imc_runtime.dlq list roadmaps`` and friends. A replay publishes the message
again to the topic it came from, with its key; consumers are idempotent, so a message
replayed twice, or one that had been applied after all, still has one effect.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete
from imc_contracts import dead_letter_topic

from imc_runtime.kafka import Connection, client_options, connect, partitions_of
from imc_runtime.settings import ServiceSettings


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def error(self) -> str:
        return self.headers.get("dlq-error", "")

    @property
    def source(self) -> str:
        h = self.headers
        return f"{h.get('dlq-source-topic')}[{h.get('dlq-source-partition')}]@{h.get('dlq-source-offset')}"

    @property
    def event_type(self) -> str:
        try:
            document = json.loads(self.value)
        except ValueError:
            return "(not JSON)"
        return (
            str(document.get("type", "(no type)"))
            if isinstance(document, dict)
            else "(not an object)"
        )


async def read(connection: Connection, group: str) -> list[DeadLetter]:
    """Every dead letter the group's topic holds now, oldest first."""
    topic = dead_letter_topic(group)
    partitions = [TopicPartition(topic, p) for p in await partitions_of(connection, topic)]
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(**connect(connection), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        remaining = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    letters.append(
                        DeadLetter(
                            topic=record.topic,
                            partition=record.partition,
                            offset=record.offset,
                            timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
                            key=record.key,
                            value=record.value,
                            headers={k: v.decode("utf-8", "replace") for k, v in record.headers},
                        )
                    )
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        return sorted(
            letters, key=lambda letter: (letter.timestamp, letter.partition, letter.offset)
        )
    finally:
        await consumer.stop()


async def replay(connection: Connection, letters: Sequence[DeadLetter]) -> int:
    """Publish each letter again to its source topic; the number replayed."""
    producer = AIOKafkaProducer(**connect(connection), enable_idempotence=True)
    await producer.start()
    try:
        for letter in letters:
            source = letter.headers.get("dlq-source-topic")
            if not source:
                raise ValueError(f"dead letter {letter.partition}@{letter.offset} names no source")
            await producer.send_and_wait(
                source,
                letter.value,
                key=letter.key,
                headers=[
                    (
                        "dlq-replayed-from",
                        f"{letter.topic}:{letter.partition}:{letter.offset}".encode(),
                    )
                ],
            )
    finally:
        await producer.stop()
    return len(letters)


async def purge(connection: Connection, group: str, letters: Sequence[DeadLetter]) -> int:
    """Delete dead letters up to and including the newest of ``letters`` in each partition
    (Kafka deletes a partition's prefix, not single records)."""
    before: dict[TopicPartition, int] = {}
    for letter in letters:
        tp = TopicPartition(letter.topic, letter.partition)
        before[tp] = max(before.get(tp, 0), letter.offset + 1)
    if not before:
        return 0
    admin = AIOKafkaAdminClient(**connect(connection))
    await admin.start()
    try:
        await admin.delete_records({tp: RecordsToDelete(offset) for tp, offset in before.items()})
    finally:
        await admin.close()
    return sum(1 for letter in letters)


def select(
    letters: Sequence[DeadLetter],
    *,
    offset: int | None = None,
    partition: int | None = None,
    error: str | None = None,
    event_type: str | None = None,
) -> list[DeadLetter]:
    checks: list[Callable[[DeadLetter], bool]] = []
    if offset is not None:
        checks.append(lambda letter: letter.offset == offset)
    if partition is not None:
        checks.append(lambda letter: letter.partition == partition)
    if error:
        checks.append(lambda letter: error.lower() in letter.error.lower())
    if event_type:
        checks.append(lambda letter: letter.event_type == event_type)
    return [letter for letter in letters if all(check(letter) for check in checks)]


def _some_text(value: str) -> str:
    """A filter's text: an empty one (an unset ``$VAR`` in a script) would match every
    letter, and turn a chosen replay or purge into one of them all."""
    if not value.strip():
        raise argparse.ArgumentTypeError("give some text, or say --all for every letter")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imc_runtime.dlq", description=__doc__)
    parser.add_argument("command", choices=["list", "show", "replay", "purge"])
    parser.add_argument("group", help="consumer group: registry, roadmaps, notifications")
    parser.add_argument("--offset", type=int, help="only the letter at this offset")
    parser.add_argument("--partition", type=int)
    parser.add_argument(
        "--error", type=_some_text, help="only letters whose error contains this text"
    )
    parser.add_argument(
        "--type", dest="event_type", type=_some_text, help="only letters of this event type"
    )
    parser.add_argument("--all", action="store_true", help="replay or purge every letter")
    args = parser.parse_args(argv)
    connection = client_options(ServiceSettings())
    letters = select(
        asyncio.run(read(connection, args.group)),
        offset=args.offset,
        partition=args.partition,
        error=args.error,
        event_type=args.event_type,
    )
    filtered = any(
        v is not None for v in (args.offset, args.partition, args.error, args.event_type)
    )
    if args.command in ("replay", "purge") and not (filtered or args.all):
        sys.exit(f"{args.command}: name the letters (--offset, --error, --type) or say --all")
    if args.command == "purge" and (args.error or args.event_type):
        sys.exit(
            "purge: Kafka deletes a partition's oldest records, not chosen ones; "
            "use --offset N (N and all before it) or --all"
        )
    if args.command == "list":
        for letter in letters:
            print(
                f"{letter.partition}@{letter.offset}\t{letter.timestamp:%Y-%m-%d %H:%M:%S}\t"
                f"{letter.event_type}\tfrom {letter.source}\t{letter.error[:120]}"
            )
        print(f"{len(letters)} dead letter(s) in {dead_letter_topic(args.group)}", file=sys.stderr)
    elif args.command == "show":
        for letter in letters:
            print(
                json.dumps(
                    {
                        "partition": letter.partition,
                        "offset": letter.offset,
                        "timestamp": letter.timestamp.isoformat(),
                        "key": letter.key.decode("utf-8", "replace") if letter.key else None,
                        "headers": letter.headers,
                        "value": letter.value.decode("utf-8", "replace"),
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
    elif args.command == "replay":
        print(f"replayed {asyncio.run(replay(connection, letters))}")
    else:
        print(f"purged {asyncio.run(purge(connection, args.group, letters))}")


if __name__ == "__main__":
    main()
