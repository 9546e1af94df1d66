<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>tenantry::ConsoleApplication</name>
    <message>
        <source>Tenantry console: administer tenants on a Tenantry server.</source>
        <translation>Tenantry-Konsole: Mandanten auf einem Tenantry-Server verwalten.</translation>
    </message>
    <message>
        <source>Base URL of the Tenantry server (default %1; environment TENANTRY_SERVER_URL).</source>
        <translation>Basis-URL des Tenantry-Servers (Standard %1; Umgebungsvariable TENANTRY_SERVER_URL).</translation>
    </message>
    <message>
        <source>Language of the user interface, e.g. &quot;de&quot;.</source>
        <translation>Sprache der Benutzeroberfläche, z. B. „de“.</translation>
    </message>
    <message>
        <source>Unexpected argument: %1</source>
        <translation>Unerwartetes Argument: %1</translation>
    </message>
    <message>
        <source>Not a server address (expected http:// or https:// and a host): %1</source>
        <translation>Keine Serveradresse (erwartet http:// oder https:// und einen Host): %1</translation>
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
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Check Server Now</source>
        <translation>Server jetzt &amp;prüfen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Signing in is not available in this version yet. This page shows whether the console can reach the Tenantry server and whether the server is ready.</source>
        <translation>Die Anmeldung ist in dieser Version noch nicht verfügbar. Diese Seite zeigt, ob die Konsole den Tenantry-Server erreicht und ob der Server bereit ist.</translation>
    </message>
    <message>
        <source>Server &amp;address:</source>
        <translation>Server&amp;adresse:</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serveradresse</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>Connect to this server</source>
        <translation>Mit diesem Server verbinden</translation>
    </message>
    <message>
        <source>Connection problem</source>
        <translation>Verbindungsproblem</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Erneut versuchen</translation>
    </message>
    <message>
        <source>Retry connecting to the server</source>
        <translation>Erneut versuchen, den Server zu erreichen</translation>
    </message>
    <message>
        <source>Server status</source>
        <translation>Serverstatus</translation>
    </message>
    <message>
        <source>Reachability</source>
        <translation>Erreichbarkeit</translation>
    </message>
    <message>
        <source>Readiness</source>
        <translation>Bereitschaft</translation>
    </message>
    <message>
        <source>Schema version</source>
        <translation>Schemaversion</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>Last checked</source>
        <translation>Zuletzt geprüft</translation>
    </message>
    <message>
        <source>Enter an address that starts with http:// or https://, for example %1.</source>
        <translation>Geben Sie eine Adresse ein, die mit http:// oder https:// beginnt, zum Beispiel %1.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Wird geprüft …</translation>
    </message>
    <message>
        <source>Server state: %1</source>
        <translation>Serverzustand: %1</translation>
    </message>
    <message>
        <source>Reachable</source>
        <translation>Erreichbar</translation>
    </message>
    <message>
        <source>Not reachable</source>
        <translation>Nicht erreichbar</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>Nicht bereit</translation>
    </message>
    <message>
        <source>Not ready: %1</source>
        <translation>Nicht bereit: %1</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>The console checks again automatically at %1.</source>
        <translation>Die Konsole prüft um %1 automatisch erneut.</translation>
    </message>
    <message>
        <source>Connected · %1 ms</source>
        <translation>Verbunden · %1 ms</translation>
    </message>
</context>
<context>
    <name>tenantry::client::ApiError</name>
    <message numerus="yes">
        <source>The server is busy; retrying in %n s.</source>
        <translation>
            <numerusform>Der Server ist ausgelastet; neuer Versuch in %n s.</numerusform>
            <numerusform>Der Server ist ausgelastet; neuer Versuch in %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot find the server %1: the host name does not resolve.</source>
        <translation>Der Server %1 wurde nicht gefunden: Der Hostname lässt sich nicht auflösen.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1: the connection was refused.</source>
        <translation>Der Server unter %1 ist nicht erreichbar: Die Verbindung wurde abgelehnt.</translation>
    </message>
    <message>
        <source>The server at %1 closed the connection before answering.</source>
        <translation>Der Server unter %1 hat die Verbindung vor der Antwort geschlossen.</translation>
    </message>
    <message>
        <source>The request to %1 was cancelled.</source>
        <translation>Die Anfrage an %1 wurde abgebrochen.</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1.</source>
        <translation>Der Server unter %1 ist nicht erreichbar.</translation>
    </message>
    <message numerus="yes">
        <source>The server at %1 did not answer within %n s.</source>
        <translation>
            <numerusform>Der Server unter %1 hat nicht innerhalb von %n Sekunde geantwortet.</numerusform>
            <numerusform>Der Server unter %1 hat nicht innerhalb von %n Sekunden geantwortet.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server at %1 did not answer in time.</source>
        <translation>Der Server unter %1 hat nicht rechtzeitig geantwortet.</translation>
    </message>
    <message>
        <source>The server at %1 presented a key that does not match the pinned key; the connection was closed.</source>
        <translation>Der Server unter %1 hat einen Schlüssel vorgelegt, der nicht zum hinterlegten Schlüssel passt; die Verbindung wurde geschlossen.</translation>
    </message>
    <message>
        <source>The secure connection to %1 could not be verified.</source>
        <translation>Die sichere Verbindung zu %1 konnte nicht überprüft werden.</translation>
    </message>
    <message>
        <source>The server at %1 sent a response that is too large.</source>
        <translation>Der Server unter %1 hat eine zu große Antwort gesendet.</translation>
    </message>
    <message>
        <source>The server at %1 sent a response the console does not understand.</source>
        <translation>Der Server unter %1 hat eine Antwort gesendet, die die Konsole nicht versteht.</translation>
    </message>
    <message numerus="yes">
        <source>The server is busy; try again in %n s.</source>
        <translation>
            <numerusform>Der Server ist ausgelastet; versuchen Sie es in %n s erneut.</numerusform>
            <numerusform>Der Server ist ausgelastet; versuchen Sie es in %n s erneut.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server is busy; try again shortly.</source>
        <translation>Der Server ist ausgelastet; versuchen Sie es gleich noch einmal.</translation>
    </message>
    <message>
        <source>The server is running but not ready: %1</source>
        <translation>Der Server läuft, ist aber nicht bereit: %1</translation>
    </message>
    <message>
        <source>The server is running but not ready yet.</source>
        <translation>Der Server läuft, ist aber noch nicht bereit.</translation>
    </message>
    <message>
        <source>The server is shutting down.</source>
        <translation>Der Server wird heruntergefahren.</translation>
    </message>
    <message>
        <source>You are not signed in, or your session has expired.</source>
        <translation>Sie sind nicht angemeldet, oder Ihre Sitzung ist abgelaufen.</translation>
    </message>
    <message>
        <source>You do not have permission to do this.</source>
        <translation>Dazu fehlt Ihnen die Berechtigung.</translation>
    </message>
    <message>
        <source>The server at %1 does not offer this function (HTTP 404).</source>
        <translation>Der Server unter %1 bietet diese Funktion nicht an (HTTP 404).</translation>
    </message>
    <message>
        <source>The server at %1 is temporarily unavailable.</source>
        <translation>Der Server unter %1 ist vorübergehend nicht verfügbar.</translation>
    </message>
    <message>
        <source>The server at %1 answered with HTTP status %2.</source>
        <translation>Der Server unter %1 hat mit HTTP-Status %2 geantwortet.</translation>
    </message>
</context>
<context>
    <name>tenantry::client::ServerStatus</name>
    <message>
        <source>Checking…</source>
        <translation>Wird geprüft …</translation>
    </message>
    <message>
        <source>Unreachable</source>
        <translation>Nicht erreichbar</translation>
    </message>
    <message>
        <source>Unexpected answer</source>
        <translation>Unerwartete Antwort</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>Nicht bereit</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Checking the server…</source>
        <translation>Der Server wird geprüft …</translation>
    </message>
    <message>
        <source>The server is up and ready (schema version %1).</source>
        <translation>Der Server läuft und ist bereit (Schemaversion %1).</translation>
    </message>
    <message>
        <source>The server is starting: %1</source>
        <translation>Der Server startet: %1</translation>
    </message>
    <message>
        <source>The server is starting.</source>
        <translation>Der Server startet.</translation>
    </message>
</context>
</TS>
