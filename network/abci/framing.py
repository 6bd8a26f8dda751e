"""ABCI's socket framing: each message is a protobuf preceded by its length as an unsigned varint.

This is CometBFT v0.38's `libs/protoio` (`binary.PutUvarint` before the message bytes), used by
`abci/types/messages.go` WriteMessage/ReadMessage on both ends of the socket.
"""
from __future__ import annotations

import asyncio

# CometBFT's reader accepts up to MaxInt32; a block's worth of transactions is far below this.
MAX_MESSAGE_BYTES = 2**31 - 1


class FramingError(ValueError):
    """The peer sent something that is not a length-prefixed message."""


def encode_uvarint(value: int) -> bytes:
    """`value` (non-negative) as a protobuf/Go unsigned varint."""
    if value < 0:
        raise ValueError("a uvarint is not negative")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def frame(message: bytes) -> bytes:
    """One message as it goes on the wire: uvarint length, then the bytes."""
    return encode_uvarint(len(message)) + message


async def read_frame(reader: asyncio.StreamReader) -> bytes | None:
    """The next message's bytes, or None at a clean end of stream (between messages).

    Raises FramingError for a length past the bound or a stream cut inside a message.
    """
    length = shift = 0
    for index in range(10):
        byte = await reader.read(1)
        if not byte:
            if index == 0:
                return None
            raise FramingError("the stream ended inside a length prefix")
        length |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            break
        shift += 7
    else:
        raise FramingError("a length prefix longer than 10 bytes")
    if length > MAX_MESSAGE_BYTES:
        raise FramingError(f"a message of {length} bytes is past the {MAX_MESSAGE_BYTES}-byte bound")
    try:
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise FramingError(f"the stream ended inside a {length}-byte message") from exc
