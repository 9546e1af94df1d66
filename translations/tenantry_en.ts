<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>tenantry::ConsoleApplication</name>
    <message>
        <source>Tenantry console: administer tenants on a Tenantry server.</source>
        <translation>Tenantry console: administer tenants on a Tenantry server.</translation>
    </message>
    <message>
        <source>Base URL of the Tenantry server (default %1; environment TENANTRY_SERVER_URL).</source>
        <translation>Base URL of the Tenantry server (default %1; environment TENANTRY_SERVER_URL).</translation>
    </message>
    <message>
        <source>Language of the user interface, e.g. &quot;de&quot;.</source>
        <translation>Language of the user interface, e.g. &quot;de&quot;.</translation>
    </message>
    <message>
        <source>Unexpected argument: %1</source>
        <translation>Unexpected argument: %1</translation>
    </message>
    <message>
        <source>Not a server address (expected http:// or https:// and a host): %1</source>
        <translation>Not a server address (expected http:// or https:// and a host): %1</translation>
    </message>
</context>
<context>
    <name>tenantry::ServerStatusWindow</name>
    <message>
        <source>Tenantry — Server</source>
        <translation>Tenantry — Server</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Check Server Now</source>
        <translation>&amp;Check Server Now</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Signing in is not available in this version yet. This page shows whether the console can reach the Tenantry server and whether the server is ready.</source>
        <translation>Signing in is not available in this version yet. This page shows whether the console can reach the Tenantry server and whether the server is ready.</translation>
    </message>
    <message>
        <source>Server &amp;address:</source>
        <translation>Server &amp;address:</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Server address</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>C&amp;onnect</translation>
    </message>
    <message>
        <source>Connect to this server</source>
        <translation>Connect to this server</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Connection problem</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Retry</translation>
    </message>
    <message>
        <source>Retry connecting to the server</source>
        <translation>Retry connecting to the server</translation>
    </message>
    <message>
        <source>Server status</source>
        <translation>Server status</translation>
    </message>
    <message>
        <source>Reachability</source>
        <translation>Reachability</translation>
    </message>
    <message>
        <source>Readiness</source>
        <translation>Readiness</translation>
    </message>
    <message>
        <source>Schema version</source>
        <translation>Schema version</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latency</translation>
    </message>
    <message>
        <source>Last checked</source>
        <translation>Last checked</translation>
    </message>
    <message>
        <source>Enter an address that starts with http:// or https://, for example %1.</source>
        <translation>Enter an address that starts with http:// or https://, for example %1.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Server state: %1</source>
        <translation>Server state: %1</translation>
    </message>
    <message>
        <source>Reachable</source>
        <translation>Reachable</translation>
    </message>
    <message>
        <source>Not reachable</source>
        <translation>Not reachable</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>Not ready</translation>
    </message>
    <message>
        <source>Not ready: %1</source>
        <translation>Not ready: %1</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Starting</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>The console checks again automatically at %1.</source>
        <translation>The console checks again automatically at %1.</translation>
    </message>
    <message>
        <source>Connected · %1 ms</source>
        <translation>Connected · %1 ms</translation>
    </message>
</context>
<context>
    <name>tenantry::client::ApiError</name>
    <message numerus="yes">
        <source>The server is busy; retrying in %n s.</source>
        <translation>
            <numerusform>The server is busy; retrying in %n s.</numerusform>
            <numerusform>The server is busy; retrying in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot find the server %1: the host name does not resolve.</source>
        <translation>Cannot find the server %1: the host name does not resolve.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1: the connection was refused.</source>
        <translation>Cannot reach the server at %1: the connection was refused.</translation>
    </message>
    <message>
        <source>The server at %1 closed the connection before answering.</source>
        <translation>The server at %1 closed the connection before answering.</translation>
    </message>
    <message>
        <source>The request to %1 was cancelled.</source>
        <translation>The request to %1 was cancelled.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1.</source>
        <translation>Cannot reach the server at %1.</translation>
    </message>
    <message numerus="yes">
        <source>The server at %1 did not answer within %n s.</source>
        <translation>
            <numerusform>The server at %1 did not answer within %n s.</numerusform>
            <numerusform>The server at %1 did not answer within %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server at %1 did not answer in time.</source>
        <translation>The server at %1 did not answer in time.</translation>
    </message>
    <message>
        <source>The server at %1 presented a key that does not match the pinned key; the connection was closed.</source>
        <translation>The server at %1 presented a key that does not match the pinned key; the connection was closed.</translation>
    </message>
    <message>
        <source>The secure connection to %1 could not be verified.</source>
        <translation>The secure connection to %1 could not be verified.</translation>
    </message>
    <message>
        <source>The server at %1 sent a response that is too large.</source>
        <translation>The server at %1 sent a response that is too large.</translation>
    </message>
    <message>
        <source>The server at %1 sent a response the console does not understand.</source>
        <translation>The server at %1 sent a response the console does not understand.</translation>
    </message>
    <message numerus="yes">
        <source>The server is busy; try again in %n s.</source>
        <translation>
            <numerusform>The server is busy; try again in %n s.</numerusform>
            <numerusform>The server is busy; try again in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server is busy; try again shortly.</source>
        <translation>The server is busy; try again shortly.</translation>
    </message>
    <message>
        <source>The server is running but not ready: %1</source>
        <translation>The server is running but not ready: %1</translation>
    </message>
    <message>
        <source>The server is running but not ready yet.</source>
        <translation>The server is running but not ready yet.</translation>
    </message>
    <message>
        <source>The server is shutting down.</source>
        <translation>The server is shutting down.</translation>
    </message>
    <message>
        <source>You are not signed in, or your session has expired.</source>
        <translation>You are not signed in, or your session has expired.</translation>
    </message>
    <message>
        <source>You do not have permission to do this.</source>
        <translation>You do not have permission to do this.</translation>
    </message>
    <message>
        <source>The server at %1 does not offer this function (HTTP 404).</source>
        <translation>The server at %1 does not offer this function (HTTP 404).</translation>
    </message>
    <message>
        <source>The server at %1 is temporarily unavailable.</source>
        <translation>The server at %1 is temporarily unavailable.</translation>
    </message>
    <message>
        <source>The server at %1 answered with HTTP status %2.</source>
        <translation>The server at %1 answered with HTTP status %2.</translation>
    </message>
</context>
<context>
    <name>tenantry::client::ServerStatus</name>
    <message>
        <source>Checking…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>Unreachable</source>
        <translation>Unreachable</translation>
    </message>
    <message>
        <source>Unexpected answer</source>
        <translation>Unexpected answer</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Starting</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>Not ready</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>Checking the server…</source>
        <translation>Checking the server…</translation>
    </message>
    <message>
        <source>The server is up and ready (schema version %1).</source>
        <translation>The server is up and ready (schema version %1).</translation>
    </message>
    <message>
        <source>The server is starting: %1</source>
        <translation>The server is starting: %1</translation>
    </message>
    <message>
        <source>The server is starting.</source>
        <translation>The server is starting.</translation>
    </message>
</context>
</TS>
