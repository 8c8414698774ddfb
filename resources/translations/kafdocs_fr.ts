<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>DocumentModel</name>
    <message>
        <source>Title</source>
        <translation>Titre</translation>
    </message>
    <message>
        <source>File name</source>
        <translation>Nom du fichier</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>Modifié le</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>Propriétaire</translation>
    </message>
    <message>
        <source>Link: %s</source>
        <translation>Lien : %s</translation>
    </message>
</context>
<context>
    <name>DuplicateDialog</name>
    <message>
        <source>File already in the folder</source>
        <translation>Fichier déjà présent dans le dossier</translation>
    </message>
    <message>
        <source>A document with the file name “%s” is already in this folder.</source>
        <translation>Un document portant le nom de fichier « %s » existe déjà dans ce dossier.</translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation>Garder les deux</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Remplacer</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Ignorer</translation>
    </message>
    <message numerus="yes">
        <source>Do the same for the %n other conflict(s)</source>
        <translation>
            <numerusform>Faire de même pour l&apos;autre conflit (%n)</numerusform>
            <numerusform>Faire de même pour les %n autres conflits</numerusform>
        </translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuer</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>kafdocs — %s</source>
        <translation>kafdocs — %s</translation>
    </message>
    <message>
        <source>Folders</source>
        <translation>Dossiers</translation>
    </message>
    <message>
        <source>Filter documents (Ctrl+F)</source>
        <translation>Filtrer les documents (Ctrl+F)</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>Drop files here to file them in this folder.</source>
        <translation>Déposez des fichiers ici pour les classer dans ce dossier.</translation>
    </message>
    <message>
        <source>Upload…</source>
        <translation>Envoyer…</translation>
    </message>
    <message>
        <source>Download…</source>
        <translation>Télécharger…</translation>
    </message>
    <message>
        <source>Download folder…</source>
        <translation>Télécharger le dossier…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Langue</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>The new language applies the next time kafdocs starts.</source>
        <translation>La nouvelle langue s&apos;appliquera au prochain démarrage de kafdocs.</translation>
    </message>
    <message>
        <source>No transfers</source>
        <translation>Aucun transfert</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Cancel all</source>
        <translation>Tout annuler</translation>
    </message>
    <message>
        <source>Retry failed</source>
        <translation>Relancer les échecs</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>Effacer les terminés</translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation>Transferts</translation>
    </message>
    <message>
        <source>Signed in as %1 at %2</source>
        <translation>Connecté en tant que %1 sur %2</translation>
    </message>
    <message>
        <source>Warning: this connection is not encrypted (http).</source>
        <translation>Attention : cette connexion n&apos;est pas chiffrée (http).</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <source>Your CRM user may not create documents.</source>
        <translation>Votre utilisateur CRM n&apos;a pas le droit de créer des documents.</translation>
    </message>
    <message>
        <source>Choose files to upload</source>
        <translation>Choisir les fichiers à envoyer</translation>
    </message>
    <message>
        <source>Choose a folder first.</source>
        <translation>Choisissez d&apos;abord un dossier.</translation>
    </message>
    <message>
        <source>Preparing the upload…</source>
        <translation>Préparation de l&apos;envoi…</translation>
    </message>
    <message>
        <source>Not uploaded: %1 (%2)</source>
        <translation>Non envoyé : %1 (%2)</translation>
    </message>
    <message>
        <source>%1 is too large for this server (limit %2).</source>
        <translation>%1 est trop volumineux pour ce serveur (limite %2).</translation>
    </message>
    <message>
        <source>Select the documents to download first.</source>
        <translation>Sélectionnez d&apos;abord les documents à télécharger.</translation>
    </message>
    <message>
        <source>Download to…</source>
        <translation>Télécharger vers…</translation>
    </message>
    <message>
        <source>Download the folder “%s” to…</source>
        <translation>Télécharger le dossier « %s » vers…</translation>
    </message>
    <message>
        <source>Listing “%s”…</source>
        <translation>Lecture de « %s »…</translation>
    </message>
    <message>
        <source>“%s” is already up to date.</source>
        <translation>« %s » est déjà à jour.</translation>
    </message>
    <message>
        <source>Preparing the files for drag and drop — drag them again in a moment.</source>
        <translation>Préparation des fichiers pour le glisser-déposer — faites-les glisser de nouveau dans un instant.</translation>
    </message>
    <message>
        <source>Delete documents</source>
        <translation>Supprimer des documents</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n document(s) from the CRM? This cannot be undone.</source>
        <translation>
            <numerusform>Supprimer %n document du CRM ? Cette action est irréversible.</numerusform>
            <numerusform>Supprimer %n documents du CRM ? Cette action est irréversible.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 files — %3 of %4</source>
        <translation>%1 fichiers sur %2 — %3 sur %4</translation>
    </message>
    <message>
        <source>Transfers finished: %1 done, %2 failed, %3 skipped (%4).</source>
        <translation>Transferts terminés : %1 réussis, %2 en échec, %3 ignorés (%4).</translation>
    </message>
    <message>
        <source>Transfers in progress</source>
        <translation>Transferts en cours</translation>
    </message>
    <message>
        <source>Transfers are still running. Cancel them and quit?</source>
        <translation>Des transferts sont encore en cours. Les annuler et quitter ?</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in to Kafinea</source>
        <translation>Connexion à Kafinea</translation>
    </message>
    <message>
        <source>Kafinea → My preferences → Access key</source>
        <translation>Kafinea → Mes préférences → Clé d&apos;accès</translation>
    </message>
    <message>
        <source>Remember me (the key is kept in the system keyring)</source>
        <translation>Se souvenir de moi (la clé est conservée dans le trousseau du système)</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Oublier</translation>
    </message>
    <message>
        <source>Remove this connection and its stored access key</source>
        <translation>Supprimer cette connexion et sa clé d&apos;accès enregistrée</translation>
    </message>
    <message>
        <source>Connection:</source>
        <translation>Connexion :</translation>
    </message>
    <message>
        <source>Instance address:</source>
        <translation>Adresse de l&apos;instance :</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>Nom d&apos;utilisateur :</translation>
    </message>
    <message>
        <source>Access key:</source>
        <translation>Clé d&apos;accès :</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <source>New connection</source>
        <translation>Nouvelle connexion</translation>
    </message>
    <message>
        <source>Fill in the address, the user name and the access key.</source>
        <translation>Renseignez l&apos;adresse, le nom d&apos;utilisateur et la clé d&apos;accès.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Connexion en cours…</translation>
    </message>
</context>
<context>
    <name>TransferModel</name>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Direction</source>
        <translation>Sens</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Vitesse</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Restant</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Envoi</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Téléchargement</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Nouvel essai</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>Ignoré</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulé</translation>
    </message>
</context>
<context>
    <name>UploadDialog</name>
    <message>
        <source>Upload documents</source>
        <translation>Envoyer des documents</translation>
    </message>
    <message numerus="yes">
        <source>Upload %n file(s) (%1) to the folder “%2”.</source>
        <translation>
            <numerusform>Envoyer %n fichier (%1) dans le dossier « %2 ».</numerusform>
            <numerusform>Envoyer %n fichiers (%1) dans le dossier « %2 ».</numerusform>
        </translation>
    </message>
    <message>
        <source>Search accounts and contacts by name</source>
        <translation>Rechercher des comptes et des contacts par nom</translation>
    </message>
    <message>
        <source>Not linked to a customer</source>
        <translation>Non lié à un client</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Also link to a CRM record (optional):</source>
        <translation>Lier aussi à une fiche du CRM (facultatif) :</translation>
    </message>
    <message>
        <source>Will be linked to: %s</source>
        <translation>Sera lié à : %s</translation>
    </message>
</context>
<context>
    <name>formatting</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <source>Wrong user name or access key. You find your access key in Kafinea under My preferences.</source>
        <translation>Nom d&apos;utilisateur ou clé d&apos;accès incorrect. Votre clé d&apos;accès se trouve dans Kafinea, sous Mes préférences.</translation>
    </message>
    <message>
        <source>This address cannot be used: %s</source>
        <translation>Cette adresse ne peut pas être utilisée : %s</translation>
    </message>
    <message>
        <source>The server&apos;s security certificate could not be verified. If your company uses its own certificate authority, ask your administrator.</source>
        <translation>Le certificat de sécurité du serveur n&apos;a pas pu être vérifié. Si votre entreprise utilise sa propre autorité de certification, adressez-vous à votre administrateur.</translation>
    </message>
    <message>
        <source>The server did not answer in time. Try again in a moment.</source>
        <translation>Le serveur n&apos;a pas répondu à temps. Réessayez dans un instant.</translation>
    </message>
    <message>
        <source>Cannot reach the server. Check the address and your network connection.</source>
        <translation>Impossible de joindre le serveur. Vérifiez l&apos;adresse et votre connexion réseau.</translation>
    </message>
    <message>
        <source>This address does not look like a Kafinea instance. Check the URL.</source>
        <translation>Cette adresse ne semble pas être une instance Kafinea. Vérifiez l&apos;URL.</translation>
    </message>
    <message>
        <source>The server had a problem: %s</source>
        <translation>Le serveur a rencontré un problème : %s</translation>
    </message>
    <message>
        <source>File too large for this server: %s</source>
        <translation>Fichier trop volumineux pour ce serveur : %s</translation>
    </message>
    <message>
        <source>Unexpected error: %s</source>
        <translation>Erreur inattendue : %s</translation>
    </message>
</context>
</TS>
