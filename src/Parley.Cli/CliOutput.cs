using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parley.Client;
using Parley.Protocol.Messages;
using Spectre.Console;

namespace Parley.Cli;

/// <summary>
/// Where and how a command prints. With --json, stdout gets one JSON object per line (<c>{"event":...}</c>) and
/// stderr gets errors as <c>{"error":code,"message":...}</c>. Otherwise results go to stdout as text, with colour
/// only when stdout is a terminal, and progress notes go to stderr. Safe to call from several tasks at once.
/// </summary>
internal sealed class CliOutput
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly CliHost _host;
    private readonly IAnsiConsole? _terminal;
    private readonly Lock _gate = new();

    public CliOutput(CliHost host, bool json)
    {
        _host = host;
        Json = json;
        if (!json && !host.IsOutputRedirected && host.Variable("NO_COLOR") is null)
        {
            _terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(host.Out) });
        }
    }

    public bool Json { get; }

    /// <summary>One JSON line on stdout: <c>{"event":name, ...fields}</c>.</summary>
    public void Event(string name, Action<Utf8JsonWriter> fields)
    {
        var line = FormatEvent(name, fields);
        lock (_gate)
        {
            _host.Out.WriteLine(line);
            _host.Out.Flush();
        }
    }

    internal static string FormatEvent(string name, Action<Utf8JsonWriter> fields) => FormatObject(writer =>
    {
        writer.WriteString("event", name);
        fields(writer);
    });

    /// <summary>A line of results on stdout; <paramref name="markup"/> is used instead on a terminal.</summary>
    public void Line(string plain, string? markup = null)
    {
        lock (_gate)
        {
            if (_terminal is not null && markup is not null)
            {
                _terminal.MarkupLine(markup);
            }
            else
            {
                _host.Out.WriteLine(plain);
                _host.Out.Flush();
            }
        }
    }

    /// <summary>
    /// Says a long-running command is logged in and waiting: a <c>ready</c> event with --json (what scripts wait
    /// for), else <paramref name="note"/> on stderr.
    /// </summary>
    public void Ready(ParleyConnection connection, string? to, string note)
    {
        if (!Json)
        {
            Note(note);
            return;
        }

        var session = connection.Session!;
        Event("ready", w =>
        {
            w.WriteString("user", session.Username);
            w.WriteString("user_id", session.UserId);
            w.WriteString("server", connection.Endpoint);
            w.WriteString("server_id", session.ServerId);
            if (to is not null)
            {
                w.WriteString("to", to);
            }
        });
    }

    /// <summary>A progress or status note for people, on stderr; nothing with --json.</summary>
    public void Note(string text)
    {
        if (Json)
        {
            return;
        }

        lock (_gate)
        {
            _host.Error.WriteLine(text);
            _host.Error.Flush();
        }
    }

    /// <summary>The one failure line on stderr.</summary>
    public void Error(string code, string message)
    {
        lock (_gate)
        {
            _host.Error.WriteLine(FormatError(Json, code, message));
            _host.Error.Flush();
        }
    }

    internal static string FormatError(bool json, string code, string message) => json
        ? FormatObject(writer =>
        {
            writer.WriteString("error", code);
            writer.WriteString("message", message);
        })
        : $"parley: {OneLine(message)}";

    /// <summary>A table: boxed and coloured on a terminal, plain aligned columns otherwise (stable for scripts).</summary>
    public void Table(string[] headers, IReadOnlyList<string[]> rows)
    {
        lock (_gate)
        {
            if (_terminal is not null)
            {
                var table = new Table().Border(TableBorder.Rounded);
                foreach (var header in headers)
                {
                    table.AddColumn(new TableColumn($"[bold]{Markup.Escape(header)}[/]"));
                }

                foreach (var row in rows)
                {
                    table.AddRow([.. row.Select(Markup.Escape)]);
                }

                _terminal.Write(table);
                return;
            }

            var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
            WriteRow(headers);
            foreach (var row in rows)
            {
                WriteRow(row);
            }

            _host.Out.Flush();

            void WriteRow(string[] cells)
            {
                var line = new StringBuilder();
                for (var i = 0; i < cells.Length; i++)
                {
                    line.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
                }

                _host.Out.WriteLine(line.ToString().TrimEnd());
            }
        }
    }

    // The events several commands print, in one place so text and JSON stay in step.

    public void ChatMessage(ChatMessage message)
    {
        if (Json)
        {
            Event("message", w =>
            {
                w.WriteString("message_id", message.MessageId);
                w.WriteString("from", message.From);
                w.WriteString("from_id", message.FromId);
                w.WriteString("from_server", message.FromServer);
                w.WriteString("to", message.To);
                w.WriteString("to_id", message.ToId);
                w.WriteString("text", message.Payload);
                w.WriteString("timestamp", message.Timestamp.ToString("O", CultureInfo.InvariantCulture));
            });
            return;
        }

        var time = message.Timestamp.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var text = OneLine(message.Payload);
        Line($"[{time}] {message.From}: {text}",
            $"[grey][[{time}]][/] [bold cyan]{Markup.Escape(message.From)}[/]: {Markup.Escape(text)}");
    }

    public void UserStatus(UserStatusEvent status)
    {
        if (Json)
        {
            Event("user_status", w =>
            {
                w.WriteString("username", status.Username);
                w.WriteString("user_id", status.UserId);
                w.WriteString("status", status.Status);
                w.WriteString("virtual_ip", status.VirtualIp);
                w.WriteString("server_id", status.ServerId);
            });
            return;
        }

        var what = status.Status == PresenceStates.Online ? "is online" : status.Status == PresenceStates.Offline ? "went offline" : $"is {status.Status}";
        Line($"* {status.Username} {what}", $"[grey]* {Markup.Escape(status.Username)} {Markup.Escape(what)}[/]");
    }

    public void DeliveryStatus(DeliveryStatusReply reply)
    {
        if (Json)
        {
            Event("delivery_status", w =>
            {
                w.WriteString("to", reply.To);
                WriteOptional(w, "to_id", reply.ToId);
                w.WriteString("status", reply.Status);
                WriteOptional(w, "message_id", reply.MessageId);
            });
            return;
        }

        switch (reply.Status)
        {
            case DeliveryStates.Delivered:
                Line($"delivered to {reply.To}", $"[green]delivered[/] to {Markup.Escape(reply.To)}");
                break;
            case DeliveryStates.Offline:
                Line($"not delivered: {reply.To} is offline", $"[yellow]not delivered[/]: {Markup.Escape(reply.To)} is offline");
                break;
            case DeliveryStates.UnknownUser:
                Line($"not delivered: no user named '{reply.To}'", $"[red]not delivered[/]: no user named '{Markup.Escape(reply.To)}'");
                break;
            default:
                Line($"not delivered: {reply.Status}", $"[red]not delivered[/]: {Markup.Escape(reply.Status)}");
                break;
        }
    }

    public void OnlineUsers(IReadOnlyList<OnlineUser> users)
    {
        if (Json)
        {
            foreach (var user in users)
            {
                Event("online_user", w =>
                {
                    w.WriteString("username", user.Username);
                    w.WriteString("virtual_ip", user.VirtualIp);
                    w.WriteString("server_id", user.ServerId);
                    w.WriteString("user_id", user.UserId);
                });
            }

            return;
        }

        Table(["USERNAME", "VIRTUAL IP", "SERVER", "USER ID"],
            [.. users.Select(u => new[] { u.Username, u.VirtualIp, u.ServerId, u.UserId })]);
    }

    internal static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Control characters from a peer must not move the cursor or forge lines on a terminal.</summary>
    internal static string OneLine(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }

    private static string FormatObject(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
